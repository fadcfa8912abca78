namespace MlAspire.Hosting;

/// <summary>What the container publisher adds to a project's image beyond the published app: Debian packages,
/// files from the AppHost's machine (native libraries, model folders) and image environment. Set with
/// <c>WithDockerfileOptions</c>; run mode ignores it.</summary>
public sealed class DockerfileOptions
{
    /// <summary>The CUDA base image of the GPU variant (<c>Dockerfile.gpu</c>) written for resources with <c>WithGpu</c>.
    /// CUDA 12 with cuDNN 9: ONNX Runtime 1.30's CUDA execution provider (NuGet <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c>,
    /// which npm onnxruntime-node's installer names as its <c>cuda12</c> package) is built for CUDA 12, so a CUDA 13 base
    /// would not load it.</summary>
    public const string DefaultGpuBaseImage = "nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04";

    /// <summary>Debian packages the runtime stage installs with apt (e.g. <c>libturbojpeg0</c>).</summary>
    public IList<string> AptPackages { get; } = [];

    /// <summary>Files or folders copied into the image: the publisher stages them into the build context
    /// (so the build works offline) and the Dockerfile copies them to their target.</summary>
    public IList<DockerfileFile> Files { get; } = [];

    /// <summary>Files copied into the GPU variant only (e.g. the CUDA execution provider libraries), after <see cref="Files"/>.</summary>
    public IList<DockerfileFile> GpuFiles { get; } = [];

    /// <summary>Variables baked into the image with <c>ENV</c> (e.g. where the copied model repository lies).</summary>
    public IDictionary<string, string> Environment { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Base image of the GPU variant; only used for resources that ask for GPUs.</summary>
    public string GpuBaseImage { get; set; } = DefaultGpuBaseImage;

    /// <summary>Copies <paramref name="source"/> (a file or folder; relative paths resolve against the AppHost
    /// folder) to the absolute <paramref name="target"/> path in the image.</summary>
    public DockerfileOptions CopyFile(string source, string target)
    {
        Files.Add(Validate(source, target));
        return this;
    }

    /// <summary>As <see cref="CopyFile"/>, for the GPU variant (<c>Dockerfile.gpu</c>) only.</summary>
    public DockerfileOptions CopyGpuFile(string source, string target)
    {
        GpuFiles.Add(Validate(source, target));
        return this;
    }

    private static DockerfileFile Validate(string source, string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (!target.StartsWith('/') || target.Split('/').Contains(".."))
        {
            throw new ArgumentException($"Image path '{target}' must be absolute and must not contain '..'.", nameof(target));
        }

        return new DockerfileFile(source, target);
    }
}
