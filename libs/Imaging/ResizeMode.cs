namespace MlAspire.Imaging;

/// <summary>How the decoded image is resampled to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>
    /// Box filter: each output pixel is the exact average of the source area it covers, with fractional weights
    /// for partly covered source pixels. An axis that grows (upscaling) uses <see cref="Bilinear"/> instead.
    /// </summary>
    Area = 0,

    /// <summary>
    /// Bilinear interpolation with half-pixel centres (source x = (x' + 0.5)·src/dst − 0.5) and edge clamping,
    /// as OpenCV's INTER_LINEAR; no antialiasing when shrinking.
    /// </summary>
    Bilinear = 1,
}
