namespace MlAspire.Imaging;

/// <summary>Managed pixel conversions between what the native decoders emit and <see cref="PixelFormat"/>.</summary>
internal static class PixelConversion
{
    /// <summary>BT.601 luma, 16.16 fixed point (weights sum to 65536, so gray input maps to itself).</summary>
    public static byte Luma(int r, int g, int b) => (byte)(((19595 * r) + (38470 * g) + (7471 * b) + 32768) >> 16);

    /// <summary>
    /// floor(v × 255 / 65535) = v / 257 for a 16-bit sample: bit-exact with ImageMagick's 8-bit export of 16-bit PNGs.
    /// </summary>
    public static byte To8Bit(ushort v) => (byte)(v / 257);

    /// <summary>RGB24 → Gray8 in place (destination may alias the source: it is written at a lower or equal index).</summary>
    public static void RgbToGrayInPlace(Span<byte> pixels, int pixelCount)
    {
        for (int i = 0, s = 0; i < pixelCount; i++, s += 3)
        {
            pixels[i] = Luma(pixels[s], pixels[s + 1], pixels[s + 2]);
        }
    }

    /// <summary>Host-endian RGBA16 → Gray8 or RGB24 (alpha dropped).</summary>
    public static void Rgba16To8(ReadOnlySpan<ushort> source, Span<byte> destination, int pixelCount, PixelFormat format)
    {
        if (format == PixelFormat.Rgb24)
        {
            for (int i = 0, s = 0, d = 0; i < pixelCount; i++, s += 4, d += 3)
            {
                destination[d] = To8Bit(source[s]);
                destination[d + 1] = To8Bit(source[s + 1]);
                destination[d + 2] = To8Bit(source[s + 2]);
            }
        }
        else
        {
            for (int i = 0, s = 0; i < pixelCount; i++, s += 4)
            {
                destination[i] = Luma(To8Bit(source[s]), To8Bit(source[s + 1]), To8Bit(source[s + 2]));
            }
        }
    }

    /// <summary>Inverted (Adobe) CMYK → Gray8 or RGB24, in place (writes never pass the read position).</summary>
    public static void InvertedCmykInPlace(Span<byte> pixels, int pixelCount, PixelFormat format)
    {
        for (int i = 0, s = 0, d = 0; i < pixelCount; i++, s += 4)
        {
            int k = pixels[s + 3];
            var r = Div255(pixels[s] * k);
            var g = Div255(pixels[s + 1] * k);
            var b = Div255(pixels[s + 2] * k);
            if (format == PixelFormat.Rgb24)
            {
                pixels[d++] = (byte)r;
                pixels[d++] = (byte)g;
                pixels[d++] = (byte)b;
            }
            else
            {
                pixels[d++] = Luma(r, g, b);
            }
        }
    }

    private static int Div255(int x) => (x + 127) / 255;
}
