namespace MlAspire.Imaging;

/// <summary>The colour model an encoded image declares in its header.</summary>
public enum ImageColorType
{
    /// <summary>One luminance channel.</summary>
    Gray = 0,

    /// <summary>Luminance plus alpha (PNG colour type 4).</summary>
    GrayAlpha = 1,

    /// <summary>Three colour channels (PNG truecolour, or a 3-component JPEG: YCbCr or RGB).</summary>
    Rgb = 2,

    /// <summary>Three colour channels plus alpha (PNG colour type 6).</summary>
    Rgba = 3,

    /// <summary>Palette indices (PNG colour type 3); may carry transparency through tRNS.</summary>
    Indexed = 4,

    /// <summary>Four-component JPEG (CMYK or YCCK).</summary>
    Cmyk = 5,
}
