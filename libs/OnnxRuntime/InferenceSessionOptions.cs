namespace MlAspire.OnnxRuntime;

/// <summary>Options of one <see cref="InferenceSession"/>; the defaults match ONNX Runtime's.</summary>
public sealed class InferenceSessionOptions
{
    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads across operators (parallel execution mode only); 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; set; }

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;

    /// <summary>Plan memory from the first run's allocations (helps fixed shapes).</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>Use ONNX Runtime's CPU memory arena.</summary>
    public bool EnableCpuMemoryArena { get; set; } = true;

    /// <summary>Provider to ask for. CUDA falls back to CPU, logging ONNX Runtime's reason.</summary>
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Cpu;

    /// <summary>Options used when <see cref="ExecutionProvider"/> is CUDA.</summary>
    public CudaProviderOptions Cuda { get; set; } = new();

    /// <summary>Identifier used in ONNX Runtime's log lines for this session.</summary>
    public string? LogId { get; set; }

    internal void Validate()
    {
        if (IntraOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "Must be 0 (default) or positive.");
        }

        if (InterOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, "Must be 0 (default) or positive.");
        }

        if (!Enum.IsDefined(GraphOptimizationLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), GraphOptimizationLevel, "Unknown level.");
        }

        if (!Enum.IsDefined(ExecutionMode))
        {
            throw new ArgumentOutOfRangeException(nameof(ExecutionMode), ExecutionMode, "Unknown mode.");
        }

        if (Cuda.DeviceId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Cuda), Cuda.DeviceId, "Cuda.DeviceId must not be negative.");
        }

        if (Cuda.GpuMemoryLimit is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Cuda), Cuda.GpuMemoryLimit, "Cuda.GpuMemoryLimit must be positive.");
        }
    }
}
