using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>What the generated Dockerfile adds to a project's image beyond the published app: Debian packages,
/// files from the publishing machine (model folders), image environment, and which published files only the
/// GPU variant keeps. Set with <see cref="PublishingResourceBuilderExtensions.WithDockerfileOptions"/>; run mode
/// ignores it.</summary>
public sealed class DockerfileOptionsAnnotation : IResourceAnnotation
{
    /// <summary>The CUDA base image of the GPU variant (<c>Dockerfile.gpu</c>) written for resources with a
    /// <see cref="GpuAnnotation"/>: CUDA 13 with cuDNN 9, what ONNX Runtime 1.32's CUDA execution provider
    /// (NuGet <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c>) is built for.</summary>
    public const string DefaultGpuBaseImage = "nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04";

    /// <summary>Debian packages the runtime stage installs with apt (e.g. <c>libturbojpeg0</c>).</summary>
    public IList<string> AptPackages { get; } = [];

    /// <summary>Files or folders copied into the image: publishing stages them into the build context (so the
    /// image build works offline) and the Dockerfile copies them to their target.</summary>
    public IList<DockerfileFile> Files { get; } = [];

    /// <summary>Files copied into the GPU variant only, after <see cref="Files"/>.</summary>
    public IList<DockerfileFile> GpuFiles { get; } = [];

    /// <summary>Paths in the project's publish output (relative, <c>/</c>-separated) that only the GPU variant
    /// keeps, e.g. the CUDA execution provider libraries under <c>runtimes/linux-x64/native</c>; the CPU image
    /// leaves them out.</summary>
    public IList<string> GpuOnlyPublishFiles { get; } = [];

    /// <summary>Variables baked into the image with <c>ENV</c> (e.g. where the copied model repository lies).</summary>
    public IDictionary<string, string> Environment { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Base image of the GPU variant; only used for resources that ask for GPUs.</summary>
    public string GpuBaseImage { get; set; } = DefaultGpuBaseImage;

    /// <summary>The folder relative sources resolve against: the AppHost's.</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>Copies <paramref name="source"/> (a file or folder; relative paths resolve against the AppHost
    /// folder) to the absolute <paramref name="target"/> path in the image.</summary>
    public DockerfileOptionsAnnotation CopyFile(string source, string target)
    {
        Files.Add(Validate(source, target));
        return this;
    }

    /// <summary>As <see cref="CopyFile"/>, for the GPU variant (<c>Dockerfile.gpu</c>) only.</summary>
    public DockerfileOptionsAnnotation CopyGpuFile(string source, string target)
    {
        GpuFiles.Add(Validate(source, target));
        return this;
    }

    /// <summary>Marks a file of the publish output (e.g. <c>runtimes/linux-x64/native/libonnxruntime_providers_cuda.so</c>)
    /// as needed only by the GPU variant.</summary>
    public DockerfileOptionsAnnotation KeepOnlyInGpuImage(string publishRelativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publishRelativePath);
        if (publishRelativePath.StartsWith('/') || publishRelativePath.Split('/').Contains("..")
            || !publishRelativePath.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-'))
        {
            throw new ArgumentException($"'{publishRelativePath}' must be a relative path in the publish output (letters, digits, '/', '.', '_', '-'), without '..'.", nameof(publishRelativePath));
        }

        GpuOnlyPublishFiles.Add(publishRelativePath);
        return this;
    }

    private DockerfileFile Validate(string source, string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (!target.StartsWith('/') || target.Split('/').Contains(".."))
        {
            throw new ArgumentException($"Image path '{target}' must be absolute and must not contain '..'.", nameof(target));
        }

        return new DockerfileFile(Path.GetFullPath(Path.Combine(BaseDirectory, source)), target);
    }
}
