namespace MlAspire.OnnxRuntime;

/// <summary>Whether independent graph branches may run in parallel (<c>ExecutionMode</c>).</summary>
public enum ExecutionMode
{
    Sequential = 0,
    Parallel = 1,
}
