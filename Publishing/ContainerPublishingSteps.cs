using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MlAspire.Publishing;

/// <summary>The pipeline steps <see cref="PublishingBuilderExtensions.AddKubernetesAndComposePublishing"/> adds.
/// Each reads the app model (<see cref="PipelineStepContext.Model"/>) through <see cref="DeploymentModel"/> and
/// writes under the pipeline's output directory (<c>--output-path</c>, <c>aspire publish -o</c>). Output is
/// deterministic and never holds a parameter value.</summary>
internal static class ContainerPublishingSteps
{
    public const string BuildContext = "publish-container-build-context";
    public const string Kubernetes = "publish-kubernetes";
    public const string Compose = "publish-compose";
    public const string Images = "build-container-images";

    /// <summary>Aspire's own step that writes <c>aspire-manifest.json</c> into the output directory.</summary>
    public const string AspireManifest = "publish-manifest";

    /// <summary>Marks a folder as publish output, so a later publish may replace its <c>src/</c> and <c>docker/</c>.</summary>
    public const string MarkerFile = ".mlaspire-publish";

    private static readonly string[] s_ownedFolders = ["src", "docker"];

    /// <summary>Dockerfiles (CPU and, for GPU resources, CUDA), the build context (<c>src/</c>, staged files) and
    /// the output folder's <c>.dockerignore</c> / <c>.gitignore</c>.</summary>
    public static async Task WriteBuildContextAsync(PipelineStepContext context, string appHostDirectory)
    {
        var (deployed, output, _) = await PrepareAsync(context, reportLeftOutVariables: true).ConfigureAwait(false);
        var projects = deployed.Where(r => r.IsProject).ToList();
        var sourceRoot = BuildContextWriter.FindSourceRoot(appHostDirectory);
        ThrowIfUnsafeOutput(output, sourceRoot, appHostDirectory, projects);

        // Evaluate before writing anything, so a broken project leaves no half-written folder.
        var assemblyNames = await Task.WhenAll(projects.Select(p => BuildContextWriter.EvaluateAssemblyNameAsync(p.ProjectPath!, context.CancellationToken))).ConfigureAwait(false);

        Write(() =>
        {
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, MarkerFile), "Written by the AppHost's publishing steps; its src/ and docker/ are replaced on every publish.\n");
            foreach (var owned in s_ownedFolders)
            {
                var path = Path.Combine(output, owned);
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }

            var projectPaths = BuildContextWriter.WriteSources(projects, sourceRoot, output);
            for (var i = 0; i < projects.Count; i++)
            {
                var project = projects[i];
                var build = new ProjectBuildInfo(projectPaths[project.Name], assemblyNames[i]);
                BuildContextWriter.WriteFiles(project, output);
                WriteText(Path.Combine(output, "docker", project.Name, "Dockerfile"), DockerfileWriter.Write(project, build, gpu: false));
                if (project.GpuCount > 0)
                {
                    WriteText(Path.Combine(output, "docker", project.Name, "Dockerfile.gpu"), DockerfileWriter.Write(project, build, gpu: true));
                }
            }

            WriteText(Path.Combine(output, ".dockerignore"), "# The build context is this folder; only src/ and docker/ go into images.\n*\n!src/\n!docker/\n**/bin/\n**/obj/\n");
            WriteText(Path.Combine(output, ".gitignore"), "# Parameter values are filled in by whoever deploys; never commit them.\n.env\n");
        }, output);
        Log.Wrote(context.Logger, "Dockerfiles and the build context", projects.Count, output);
    }

    /// <summary>The kustomize tree under <c>kubernetes/</c>; the parameter env files only when absent (the user fills them).</summary>
    public static async Task WriteKubernetesAsync(PipelineStepContext context)
    {
        var (deployed, output, options) = await PrepareAsync(context).ConfigureAwait(false);
        var parameters = deployed.SelectMany(r => r.Parameters).Distinct().ToList();
        var (files, userFiles) = KubernetesWriter.Write(deployed, parameters, options);
        Write(() =>
        {
            foreach (var (path, content) in files)
            {
                WriteText(Path.Combine(output, "kubernetes", path), content);
            }

            foreach (var (path, content) in userFiles)
            {
                var full = Path.Combine(output, "kubernetes", path);
                if (!File.Exists(full))
                {
                    WriteText(full, content);
                }
            }
        }, output);
        Log.Wrote(context.Logger, "the kustomize tree (kubectl apply -k kubernetes/overlays/dev)", deployed.Count, output);
    }

    /// <summary><c>compose.yaml</c>, <c>compose.gpu.yaml</c> (when a resource wants GPUs) and <c>.env.example</c>.</summary>
    public static async Task WriteComposeAsync(PipelineStepContext context)
    {
        var (deployed, output, _) = await PrepareAsync(context).ConfigureAwait(false);
        var parameters = deployed.SelectMany(r => r.Parameters).Distinct().ToList();
        var (compose, composeGpu, envExample) = ComposeWriter.Write(deployed, parameters);
        Write(() =>
        {
            WriteText(Path.Combine(output, "compose.yaml"), compose);
            var gpuPath = Path.Combine(output, "compose.gpu.yaml");
            if (composeGpu is not null)
            {
                WriteText(gpuPath, composeGpu);
            }
            else if (File.Exists(gpuPath))
            {
                File.Delete(gpuPath);
            }

            WriteText(Path.Combine(output, ".env.example"), envExample);
        }, output);
        Log.Wrote(context.Logger, "compose files (docker compose up)", deployed.Count, output);
    }

    /// <summary>With <c>ContainerImages:Build</c> or <c>ContainerImages:PushRegistry</c>: <c>docker build</c> of every
    /// project image from the written context, then tag and push.</summary>
    public static async Task BuildImagesAsync(PipelineStepContext context)
    {
        var (deployed, output, options) = await PrepareAsync(context).ConfigureAwait(false);
        if (!options.BuildsImages)
        {
            Log.ImagesNotBuilt(context.Logger);
            return;
        }

        var builder = new DockerImageBuilder(options, context.Logger);
        var projects = deployed.Where(r => r.IsProject).ToList();
        foreach (var project in projects)
        {
            await builder.BuildAsync(project, output, context.CancellationToken).ConfigureAwait(false);
        }

        if (options.PushRegistry is { Length: > 0 } registry)
        {
            foreach (var project in projects)
            {
                await builder.PushAsync(project, registry.TrimEnd('/'), context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The options and the deployment model; the build-context step (which every other step follows)
    /// reports the variables left out, once.</summary>
    private static async Task<(IReadOnlyList<DeployedResource> Deployed, string Output, ContainerImageOptions Options)> PrepareAsync(PipelineStepContext context, bool reportLeftOutVariables = false)
    {
        ContainerImageOptions options;
        try
        {
            options = context.Services.GetRequiredService<IOptions<ContainerImageOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new DistributedApplicationException(ex.Message, ex);
        }

        var output = Path.GetFullPath(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory());
        var deployed = await DeploymentModel.CreateAsync(
            context.Model, context.ExecutionContext, options, reportLeftOutVariables ? context.Logger : NullLogger.Instance, context.CancellationToken).ConfigureAwait(false);
        return (deployed, output, options);
    }

    /// <summary>Publishing replaces <c>src/</c> and <c>docker/</c> in the output folder, so it must not be a folder
    /// with sources in it (e.g. <c>--output-path .</c>) nor an earlier non-publish folder that has them.</summary>
    private static void ThrowIfUnsafeOutput(string outputDirectory, string sourceRoot, string appHostDirectory, IReadOnlyList<DeployedResource> projects)
    {
        if (File.Exists(outputDirectory))
        {
            throw new DistributedApplicationException($"The output path '{outputDirectory}' is a file; give a folder.");
        }

        var output = WithSeparator(outputDirectory);
        var projectFolders = projects.Select(p => WithSeparator(Path.GetDirectoryName(p.ProjectPath!)!)).ToList();
        foreach (var folder in projectFolders.Append(WithSeparator(sourceRoot)))
        {
            if (folder.StartsWith(output, StringComparison.Ordinal))
            {
                throw new DistributedApplicationException(
                    $"The output path '{outputDirectory}' contains the sources ('{folder.TrimEnd(Path.DirectorySeparatorChar)}'); publish into a folder of its own (e.g. ./deploy).");
            }
        }

        // Inside a project folder the output would be copied into its own build context; inside the AppHost's
        // (where `aspire publish` without -o writes, and where `dotnet run` resolves a relative --output-path) the
        // copied sources would be compiled into the AppHost.
        if (projectFolders.Append(WithSeparator(appHostDirectory)).FirstOrDefault(f => output.StartsWith(f, StringComparison.Ordinal)) is { } project)
        {
            throw new DistributedApplicationException(
                $"The output path '{outputDirectory}' lies inside the project folder '{project.TrimEnd(Path.DirectorySeparatorChar)}'; publish into a folder of its own"
                + " (e.g. `aspire publish -o ./deploy`, or `--output-path ../deploy` with `dotnet run --project AppHost`, whose relative paths start in the AppHost folder).");
        }

        if (Directory.Exists(outputDirectory) && !File.Exists(Path.Combine(outputDirectory, MarkerFile))
            && (Directory.Exists(Path.Combine(outputDirectory, "src")) || Directory.Exists(Path.Combine(outputDirectory, "docker"))))
        {
            throw new DistributedApplicationException(
                $"The output path '{outputDirectory}' already has src/ or docker/ that an earlier publish did not write; publish into an empty folder.");
        }
    }

    private static void Write(Action write, string output)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DistributedApplicationException($"Publishing to '{output}' failed: {ex.Message}", ex);
        }
    }

    private static string WithSeparator(string path) => path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;

    private static void WriteText(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
