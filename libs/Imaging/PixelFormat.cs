namespace MlAspire.Imaging;

/// <summary>The 8-bit interleaved pixel layouts the decoder produces; the value is the channel count.</summary>
public enum PixelFormat
{
    /// <summary>One byte per pixel: luma (ITU-R BT.601 weights when converted from colour).</summary>
    Gray8 = 1,

    /// <summary>Three bytes per pixel: R, G, B.</summary>
    Rgb24 = 3,
}
