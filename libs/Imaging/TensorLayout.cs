namespace MlAspire.Imaging;

/// <summary>Memory order of one image's tensor (the batch dimension is the caller's).</summary>
public enum TensorLayout
{
    /// <summary>Channel planes: index = c·H·W + y·W + x.</summary>
    Nchw = 0,

    /// <summary>Interleaved channels: index = (y·W + x)·C + c.</summary>
    Nhwc = 1,
}
