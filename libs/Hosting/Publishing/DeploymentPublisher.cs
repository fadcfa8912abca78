using System.Text;

namespace MlAspire.Hosting.Publishing;

/// <summary>The <c>publish</c> verb: writes Dockerfiles and the build context, the kustomize tree, the compose
/// file and the Aspire manifest into one folder, then optionally builds and pushes the images. Everything is
/// derived from the app model; generation is deterministic and never writes a parameter value.</summary>
internal static class DeploymentPublisher
{
    public static async Task PublishAsync(
        IReadOnlyList<Resource> resources, string appHostDirectory, PublishOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        var outputDirectory = Path.GetFullPath(options.OutputPath);
        var deployed = DeploymentModel.Create(resources, options);
        var parameters = deployed.SelectMany(r => r.Parameters).Distinct().ToList();
        var projects = deployed.Where(r => r.Project is not null).ToList();

        // Evaluate before writing anything, so a broken project leaves no half-written folder.
        var assemblyNames = await Task.WhenAll(projects.Select(p => BuildContextWriter.EvaluateAssemblyNameAsync(p.Project!.ProjectPath, cancellationToken))).ConfigureAwait(false);

        Directory.CreateDirectory(outputDirectory);
        foreach (var owned in new[] { "src", "docker" })
        {
            var path = Path.Combine(outputDirectory, owned);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        var sourceRoot = BuildContextWriter.FindSourceRoot(appHostDirectory);
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

    private static void WriteText(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
