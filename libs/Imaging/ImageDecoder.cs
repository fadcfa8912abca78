namespace MlAspire.Imaging;

/// <summary>
/// Decodes JPEG (libjpeg-turbo's TurboJPEG API) and PNG (libspng) into 8-bit gray or RGB pixels.
/// </summary>
/// <remarks>
/// <para>The header is probed and checked against <see cref="ImageLimits"/> before anything is allocated.</para>
/// <para>Alpha is dropped, not composited: colour channels are kept as stored, as PIL's <c>convert("RGB")</c> /
/// <c>convert("L")</c> and ImageMagick's raw <c>rgb:</c>/<c>gray:</c> export do. Palette images expand through their
/// palette (tRNS only affects alpha, which is dropped). 16-bit samples become floor(v × 255 / 65535) = v / 257,
/// bit-exact with ImageMagick's <c>-depth 8</c> export.</para>
/// <para>Gray from colour uses ITU-R BT.601 luma in 16.16 fixed point, (19595 R + 38470 G + 7471 B + 32768) >> 16,
/// bit-exact with PIL. For colour JPEGs TurboJPEG decodes the Y plane directly, which is that same luma as encoded.</para>
/// <para>EXIF orientation is not applied (pixels stay in stored order, as PIL's default).</para>
/// <para>CMYK/YCCK JPEGs decode as Adobe-style (inverted) CMYK and convert as R = C·K/255, G = M·K/255, B = Y·K/255.</para>
/// <para>Warnings from libjpeg (corrupt or truncated data) are errors: such an image is rejected, not guessed at.</para>
/// </remarks>
public static class ImageDecoder
{
    /// <summary>Decodes an image.</summary>
    /// <param name="encoded">The encoded JPEG or PNG bytes; the format is sniffed, never taken from a content type.</param>
    /// <param name="pixelFormat">Gray or RGB output.</param>
    /// <param name="limits">Size limits checked before decoding; <see cref="ImageLimits.Default"/> when null.</param>
    /// <param name="minWidth">With <paramref name="minHeight"/>: lets a JPEG be scaled down at decode time (by a TurboJPEG
    /// factor such as 1/2, 1/4, 1/8) to the smallest size whose width and height stay at least these. 0 = full size.</param>
    /// <param name="minHeight">See <paramref name="minWidth"/>.</param>
    /// <exception cref="ImageDecodeException">The input is empty, not JPEG/PNG, malformed, truncated or too large.</exception>
    public static DecodedImage Decode(
        ReadOnlySpan<byte> encoded, PixelFormat pixelFormat, ImageLimits? limits = null, int minWidth = 0, int minHeight = 0)
    {
        if (pixelFormat is not (PixelFormat.Gray8 or PixelFormat.Rgb24))
        {
            throw new ArgumentOutOfRangeException(nameof(pixelFormat), pixelFormat, "Use Gray8 or Rgb24.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(minWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(minHeight);
        limits ??= ImageLimits.Default;
        var info = ImageProbe.Probe(encoded, limits);
        return info.Format == ImageFormat.Jpeg
            ? JpegDecoder.Decode(encoded, info, pixelFormat, minWidth, minHeight)
            : PngDecoder.Decode(encoded, info, pixelFormat, limits);
    }
}
