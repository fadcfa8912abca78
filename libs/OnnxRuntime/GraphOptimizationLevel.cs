namespace MlAspire.OnnxRuntime;

/// <summary>How much ONNX Runtime rewrites the graph at load (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    DisableAll = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}
