using System.ComponentModel.DataAnnotations;

namespace MlAspire.Inference.Service;

/// <summary>Settings of the inference service, bound from the <c>Inference</c> section.</summary>
internal sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>
    /// The model repository folder. Unset: the nearest <c>models/</c> folder above the application (the repo's own,
    /// when run from a checkout), else <c>models/</c> beside the application.
    /// </summary>
    public string? ModelRepository { get; set; }

    /// <summary>Threads ONNX Runtime uses inside one operator; 0 lets it choose.</summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin-wait for work between runs (ONNX Runtime's own default). Off by
    /// default here: spinning threads take CPU from Kestrel, protobuf and the batcher on the same cores, which costs
    /// more than the microseconds it saves (see BENCHMARKS.md); turn it on for a host with cores to spare, or for a
    /// compute-heavy model with one execution, preferably in that model's config (<c>onnxruntime.intra_op_spinning</c>):
    /// ResNet-50 on two CPU cores, one execution, served 7-8 % more images/s with it, but 11-26 % fewer with the
    /// automatic plan's two executions (BENCHMARKS.md, 2026-12-05 evening).
    /// </summary>
    public bool IntraOpSpinning { get; set; }

    /// <summary>Warmup runs per model before it reports ready.</summary>
    [Range(0, 100)]
    public int WarmupRuns { get; set; } = 2;

    /// <summary>CUDA device for models that prefer the GPU.</summary>
    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>Largest gRPC message accepted or sent, in bytes (batched image tensors exceed gRPC's 4 MiB default).</summary>
    [Range(1024, 1 << 30)]
    public int MaxMessageBytes { get; set; } = 64 << 20;
}
