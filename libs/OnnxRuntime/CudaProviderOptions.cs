namespace MlAspire.OnnxRuntime;

/// <summary>Options of the CUDA execution provider.</summary>
public sealed class CudaProviderOptions
{
    /// <summary>CUDA device ordinal.</summary>
    public int DeviceId { get; set; }

    /// <summary>Upper bound of the provider's memory arena in bytes; <c>null</c> leaves ONNX Runtime's default (no limit).</summary>
    public long? GpuMemoryLimit { get; set; }

    /// <summary>cuDNN convolution algorithm search.</summary>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; set; } = CudnnConvAlgoSearch.Exhaustive;
}
