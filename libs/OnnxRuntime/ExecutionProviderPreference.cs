namespace MlAspire.OnnxRuntime;

/// <summary>Which execution provider a session asks for; CUDA falls back to CPU with a logged reason.</summary>
public enum ExecutionProviderPreference
{
    Cpu = 0,
    Cuda = 1,
}
