namespace MlAspire.Hosting;

/// <summary>What the container publisher adds to a project's image beyond the published app: Debian packages,
/// files from the AppHost's machine (native libraries, model folders) and image environment. Set with
/// <c>WithDockerfileOptions</c>; run mode ignores it.</summary>
public sealed class DockerfileOptions
{
    /// <summary>The CUDA base image of the GPU variant (<c>Dockerfile.gpu</c>) written for resources with <c>WithGpu</c>.</summary>
    public const string DefaultGpuBaseImage = "nvidia/cuda:13.0.0-cudnn-runtime-ubuntu24.04";

    /// <summary>Debian packages the runtime stage installs with apt (e.g. <c>libturbojpeg0</c>).</summary>
    public IList<string> AptPackages { get; } = [];

    /// <summary>Files or folders copied into the image: the publisher stages them into the build context
    /// (so the build works offline) and the Dockerfile copies them to their target.</summary>
    public IList<DockerfileFile> Files { get; } = [];

    /// <summary>Variables baked into the image with <c>ENV</c> (e.g. where the copied model repository lies).</summary>
    public IDictionary<string, string> Environment { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Base image of the GPU variant; only used for resources that ask for GPUs.</summary>
    public string GpuBaseImage { get; set; } = DefaultGpuBaseImage;

    /// <summary>Copies <paramref name="source"/> (a file or folder; relative paths resolve against the AppHost
    /// folder) to the absolute <paramref name="target"/> path in the image.</summary>
    public DockerfileOptions CopyFile(string source, string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (!target.StartsWith('/') || target.Split('/').Contains(".."))
        {
            throw new ArgumentException($"Image path '{target}' must be absolute and must not contain '..'.", nameof(target));
        }

        Files.Add(new DockerfileFile(source, target));
        return this;
    }
}
