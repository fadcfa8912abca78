namespace MlAspire.OnnxRuntime;

/// <summary>Execution provider names as ONNX Runtime spells them.</summary>
public static class ExecutionProviders
{
    public const string Cpu = "CPUExecutionProvider";
    public const string Cuda = "CUDAExecutionProvider";
}
