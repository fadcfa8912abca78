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

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin while waiting for work (its default) instead of sleeping at once.
    /// Spinning shaves microseconds off back-to-back runs but burns the cores a server needs for everything else
    /// (HTTP, decoding); false sets <c>session.intra_op.allow_spinning</c> to 0 (an explicit entry in
    /// <see cref="ConfigEntries"/> wins).
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    internal const string IntraOpSpinningKey = "session.intra_op.allow_spinning";

    /// <summary>
    /// Further session configuration entries passed as they are (<c>AddSessionConfigEntry</c>, keys from ONNX Runtime's
    /// <c>onnxruntime_session_options_config_keys.h</c>, for example <c>session.inter_op.allow_spinning</c>).
    /// </summary>
    public IDictionary<string, string> ConfigEntries { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

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

        foreach (var (key, value) in ConfigEntries)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Contains('\0', StringComparison.Ordinal) || value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Session config entry '{key}' must have a non-empty key and a value, neither containing NUL.", nameof(ConfigEntries));
            }
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
