namespace MlAspire.OnnxRuntime;

/// <summary>How the CUDA provider picks cuDNN convolution algorithms (<c>cudnn_conv_algo_search</c>).</summary>
public enum CudnnConvAlgoSearch
{
    Exhaustive = 0,
    Heuristic = 1,
    Default = 2,
}
