using System.Text;

namespace MlAspire.Hosting.Publishing;

/// <summary>The <c>publish</c> verb: writes Dockerfiles and the build context, the kustomize tree, the compose
/// file and the Aspire manifest into one folder, then optionally builds and pushes the images. Everything is
/// derived from the app model; generation is deterministic and never writes a parameter value.</summary>
internal static class DeploymentPublisher
{
    /// <summary>Marks a folder as publish output, so a later publish may replace its <c>src/</c> and <c>docker/</c>.</summary>
    public const string MarkerFile = ".mlaspire-publish";

    public static async Task PublishAsync(
        IReadOnlyList<Resource> resources, string appHostDirectory, PublishOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        try
        {
            await PublishCoreAsync(resources, appHostDirectory, options, output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DistributedApplicationException($"Publishing to '{options.OutputPath}' failed: {ex.Message}", ex);
        }
    }

    private static async Task PublishCoreAsync(
        IReadOnlyList<Resource> resources, string appHostDirectory, PublishOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var outputDirectory = Path.GetFullPath(options.OutputPath);
        var sourceRoot = BuildContextWriter.FindSourceRoot(appHostDirectory);
        ThrowIfUnsafeOutput(outputDirectory, sourceRoot, resources);
        var deployed = DeploymentModel.Create(resources, options);
        var parameters = deployed.SelectMany(r => r.Parameters).Distinct().ToList();
        var projects = deployed.Where(r => r.Project is not null).ToList();

        // Evaluate before writing anything, so a broken project leaves no half-written folder.
        var assemblyNames = await Task.WhenAll(projects.Select(p => BuildContextWriter.EvaluateAssemblyNameAsync(p.Project!.ProjectPath, cancellationToken))).ConfigureAwait(false);

        Directory.CreateDirectory(outputDirectory);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, MarkerFile),
            "Written by `dotnet run --project AppHost -- publish`; its src/ and docker/ are replaced on every publish.\n", cancellationToken).ConfigureAwait(false);
        foreach (var owned in new[] { "src", "docker" })
        {
            var path = Path.Combine(outputDirectory, owned);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        var projectPaths = BuildContextWriter.WriteSources(projects.Select(p => p.Project!), sourceRoot, outputDirectory);
        for (var i = 0; i < projects.Count; i++)
        {
            var resource = projects[i];
            var build = new ProjectBuildInfo(projectPaths[resource.Project!], assemblyNames[i]);
            BuildContextWriter.WriteFiles(resource.Project!, appHostDirectory, outputDirectory);
            WriteText(Path.Combine(outputDirectory, "docker", resource.Name, "Dockerfile"), DockerfileWriter.Write(resource, build, gpu: false));
            if (resource.GpuCount > 0)
            {
                WriteText(Path.Combine(outputDirectory, "docker", resource.Name, "Dockerfile.gpu"), DockerfileWriter.Write(resource, build, gpu: true));
            }
        }

        WriteText(Path.Combine(outputDirectory, ".dockerignore"), "# The build context is this folder; only src/ and docker/ go into images.\n*\n!src/\n!docker/\n**/bin/\n**/obj/\n");
        WriteText(Path.Combine(outputDirectory, ".gitignore"), "# Parameter values are filled in by whoever deploys; never commit them.\n.env\n");

        var (kubernetesFiles, userFiles) = KubernetesWriter.Write(deployed, parameters, options);
        foreach (var (path, content) in kubernetesFiles)
        {
            WriteText(Path.Combine(outputDirectory, "kubernetes", path), content);
        }

        foreach (var (path, content) in userFiles)
        {
            var full = Path.Combine(outputDirectory, "kubernetes", path);
            if (!File.Exists(full))
            {
                WriteText(full, content);
            }
        }

        var (compose, composeGpu, envExample) = ComposeWriter.Write(deployed, parameters);
        WriteText(Path.Combine(outputDirectory, "compose.yaml"), compose);
        var gpuPath = Path.Combine(outputDirectory, "compose.gpu.yaml");
        if (composeGpu is not null)
        {
            WriteText(gpuPath, composeGpu);
        }
        else if (File.Exists(gpuPath))
        {
            File.Delete(gpuPath);
        }

        WriteText(Path.Combine(outputDirectory, ".env.example"), envExample);
        ManifestPublisher.Write(resources, Path.Combine(outputDirectory, "aspire-manifest.json"));
        await output.WriteLineAsync($"Published {deployed.Count} resources to {outputDirectory}").ConfigureAwait(false);

        if (options.Build)
        {
            var builder = new DockerImageBuilder(options, output);
            foreach (var resource in projects)
            {
                await builder.BuildAsync(resource, outputDirectory, cancellationToken).ConfigureAwait(false);
            }

            if (options.PushRegistry is { } registry)
            {
                foreach (var resource in projects)
                {
                    await builder.PushAsync(resource, registry, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Publishing replaces <c>src/</c> and <c>docker/</c> in the output folder, so it must not be a folder
    /// with sources in it (e.g. <c>--output-path .</c>) nor an earlier non-publish folder that has them.</summary>
    private static void ThrowIfUnsafeOutput(string outputDirectory, string sourceRoot, IReadOnlyList<Resource> resources)
    {
        if (File.Exists(outputDirectory))
        {
            throw new DistributedApplicationException($"--output-path '{outputDirectory}' is a file; give a folder.");
        }

        var output = WithSeparator(outputDirectory);
        var projectFolders = resources.OfType<ProjectResource>().Select(p => WithSeparator(Path.GetDirectoryName(p.ProjectPath)!)).ToList();
        foreach (var folder in projectFolders.Append(WithSeparator(sourceRoot)))
        {
            if (folder.StartsWith(output, StringComparison.Ordinal))
            {
                throw new DistributedApplicationException(
                    $"--output-path '{outputDirectory}' contains the sources ('{folder.TrimEnd(Path.DirectorySeparatorChar)}'); publish into a folder of its own (e.g. ./deploy).");
            }
        }

        // Inside a project folder the output would be copied into its own build context.
        if (projectFolders.FirstOrDefault(f => output.StartsWith(f, StringComparison.Ordinal)) is { } project)
        {
            throw new DistributedApplicationException(
                $"--output-path '{outputDirectory}' lies inside the project folder '{project.TrimEnd(Path.DirectorySeparatorChar)}'; publish into a folder of its own (e.g. ./deploy).");
        }

        if (Directory.Exists(outputDirectory) && !File.Exists(Path.Combine(outputDirectory, MarkerFile))
            && (Directory.Exists(Path.Combine(outputDirectory, "src")) || Directory.Exists(Path.Combine(outputDirectory, "docker"))))
        {
            throw new DistributedApplicationException(
                $"--output-path '{outputDirectory}' already has src/ or docker/ that an earlier publish did not write; publish into an empty folder.");
        }
    }

    private static string WithSeparator(string path) => path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;

    private static void WriteText(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
