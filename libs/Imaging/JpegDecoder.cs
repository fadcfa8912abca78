using System.Buffers;
using System.Runtime.InteropServices;
using MlAspire.Imaging.Native;

namespace MlAspire.Imaging;

/// <summary>JPEG through TurboJPEG 2.1 (tjDecompressHeader3 + tjDecompress2).</summary>
internal static unsafe class JpegDecoder
{
    private static TurboJpegScalingFactor[]? s_scalingFactors;

    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, in ImageInfo info, PixelFormat format, int minWidth, int minHeight)
    {
        using var handle = TurboJpegHandle.CreateDecompressor();
        fixed (byte* src = encoded)
        {
            if (TurboJpegNative.DecompressHeader3(handle, src, (nuint)encoded.Length, out var width, out var height, out _, out var colorspace) != 0)
            {
                throw Failure(handle, "read the JPEG header");
            }

            if (width != info.Width || height != info.Height)
            {
                throw new ImageDecodeException(
                    ImageDecodeError.Corrupt,
                    $"The JPEG declares {info.Width}x{info.Height} in its first frame header but decodes as {width}x{height}.");
            }

            var factor = ChooseScale(width, height, minWidth, minHeight);
            var outWidth = factor.Scale(width);
            var outHeight = factor.Scale(height);
            var cmyk = colorspace is TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck;
            var nativeFormat = cmyk ? TurboJpegNative.PixelFormatCmyk
                : format == PixelFormat.Gray8 ? TurboJpegNative.PixelFormatGray
                : TurboJpegNative.PixelFormatRgb;
            var nativeChannels = cmyk ? 4 : (int)format;
            var pixelCount = PixelBuffers.PixelCount(outWidth, outHeight, nativeChannels);
            var buffer = ArrayPool<byte>.Shared.Rent(pixelCount * nativeChannels);
            try
            {
                fixed (byte* dst = buffer)
                {
                    var rc = TurboJpegNative.Decompress2(
                        handle,
                        src,
                        (nuint)encoded.Length,
                        dst,
                        outWidth,
                        outWidth * nativeChannels,
                        outHeight,
                        nativeFormat,
                        TurboJpegNative.FlagStopOnWarning | TurboJpegNative.FlagLimitScans);
                    if (rc != 0)
                    {
                        throw Failure(handle, "decode the JPEG");
                    }
                }

                if (cmyk)
                {
                    PixelConversion.InvertedCmykInPlace(buffer, pixelCount, format);
                }

                return new DecodedImage(buffer, outWidth, outHeight, format, info, factor.Num, factor.Denom);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }

    /// <summary>The strongest reduction (smallest num/denom ≤ 1) that keeps both scaled dimensions ≥ the minimum.</summary>
    internal static TurboJpegScalingFactor ChooseScale(int width, int height, int minWidth, int minHeight)
    {
        var best = new TurboJpegScalingFactor(1, 1);
        if (minWidth <= 0 || minHeight <= 0)
        {
            return best;
        }

        foreach (var f in ScalingFactors())
        {
            if (f.Num >= f.Denom || (long)f.Num * best.Denom >= (long)best.Num * f.Denom)
            {
                continue; // not a reduction, or no stronger than the best so far
            }

            if (f.Scale(width) >= minWidth && f.Scale(height) >= minHeight)
            {
                best = f;
            }
        }

        return best;
    }

    private static TurboJpegScalingFactor[] ScalingFactors()
    {
        if (s_scalingFactors is { } cached)
        {
            return cached;
        }

        NativeLibraries.EnsureTurboJpeg();
        var list = TurboJpegNative.GetScalingFactors(out var count);
        var factors = list is null || count <= 0 ? [] : new ReadOnlySpan<TurboJpegScalingFactor>(list, count).ToArray();
        s_scalingFactors = factors;
        return factors;
    }

    private static ImageDecodeException Failure(TurboJpegHandle handle, string action)
    {
        var text = Marshal.PtrToStringUTF8((nint)TurboJpegNative.GetErrorStr2(handle)) ?? "unknown error";
        var isWarning = TurboJpegNative.GetErrorCode(handle) == TurboJpegNative.ErrorWarning;
        var truncated = text.Contains("Premature end", StringComparison.OrdinalIgnoreCase)
            || text.Contains("insufficient", StringComparison.OrdinalIgnoreCase);
        var reason = truncated ? ImageDecodeError.Truncated
            : text.Contains("Unsupported", StringComparison.OrdinalIgnoreCase) ? ImageDecodeError.UnsupportedFeature
            : ImageDecodeError.Corrupt;
        return new ImageDecodeException(reason, $"Could not {action}: {text}{(isWarning ? " (libjpeg warning)" : string.Empty)}.");
    }
}
