namespace MlAspire.Imaging;

/// <summary>Size checks for pixel buffers, so that even very generous <see cref="ImageLimits"/> cannot overflow.</summary>
internal static class PixelBuffers
{
    /// <summary>width × height, or <see cref="ImageDecodeError.TooLarge"/> when a buffer of that many pixels at
    /// <paramref name="bytesPerPixel"/> would not fit in one array.</summary>
    public static int PixelCount(int width, int height, int bytesPerPixel)
    {
        var pixels = (long)width * height;
        if (pixels * bytesPerPixel > Array.MaxLength)
        {
            throw new ImageDecodeException(
                ImageDecodeError.TooLarge, $"A {width}x{height} image does not fit in one pixel buffer.");
        }

        return (int)pixels;
    }
}
