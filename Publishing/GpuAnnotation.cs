using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>How many GPUs each replica of the resource asks for. Aspire has no GPU request of its own; the
/// publishing steps turn it into an <c>nvidia.com/gpu</c> limit (Kubernetes), a device reservation
/// (<c>compose.gpu.yaml</c>) and a CUDA image variant (<c>Dockerfile.gpu</c>). Run mode ignores it.</summary>
public sealed class GpuAnnotation(int count) : IResourceAnnotation
{
    public int Count { get; } = count;
}
