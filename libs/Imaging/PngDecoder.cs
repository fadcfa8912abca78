using System.Buffers;
using System.Runtime.InteropServices;
using MlAspire.Imaging.Native;

namespace MlAspire.Imaging;

/// <summary>PNG through libspng (spng_decode_image to RGB8, or RGBA16 for 16-bit sources).</summary>
internal static unsafe class PngDecoder
{
    // Memory libspng may spend caching ancillary chunks (text, iCCP, EXIF...), decompressed or not.
    private const int ChunkCacheLimit = 8 * 1024 * 1024;

    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, in ImageInfo info, PixelFormat format, ImageLimits limits)
    {
        using var ctx = SpngContextHandle.CreateDecoder();
        fixed (byte* src = encoded)
        {
            Check(SpngNative.SetPngBuffer(ctx, src, (nuint)encoded.Length), "set the PNG buffer");
            Check(SpngNative.SetImageLimits(ctx, (uint)limits.MaxWidth, (uint)limits.MaxHeight), "set image limits");
            Check(SpngNative.SetChunkLimits(ctx, (nuint)encoded.Length, ChunkCacheLimit), "set chunk limits");
            Check(SpngNative.GetIhdr(ctx, out var ihdr), "read the PNG header");
            if (ihdr.Width != (uint)info.Width || ihdr.Height != (uint)info.Height)
            {
                throw new ImageDecodeException(ImageDecodeError.Corrupt, "The PNG header changed between probe and decode.");
            }

            var sixteenBit = ihdr.BitDepth == 16;
            var nativeFormat = sixteenBit ? SpngNative.FormatRgba16 : SpngNative.FormatRgb8;
            Check(SpngNative.DecodedImageSize(ctx, nativeFormat, out var size), "size the decoded PNG");
            if (size > int.MaxValue)
            {
                throw new ImageDecodeException(ImageDecodeError.TooLarge, $"The decoded PNG would take {size} bytes.");
            }

            var pixelCount = PixelBuffers.PixelCount(info.Width, info.Height, sixteenBit ? 8 : 3);
            var outBytes = pixelCount * (int)format;
            var buffer = ArrayPool<byte>.Shared.Rent(sixteenBit ? outBytes : Math.Max(outBytes, (int)size));
            byte[]? wide = sixteenBit ? ArrayPool<byte>.Shared.Rent((int)size) : null;
            try
            {
                fixed (byte* dst = sixteenBit ? wide : buffer)
                {
                    Check(SpngNative.DecodeImage(ctx, dst, size, nativeFormat, SpngNative.DecodeTrns), "decode the PNG");
                }

                if (wide is not null)
                {
                    var samples = MemoryMarshal.Cast<byte, ushort>(wide.AsSpan(0, (int)size));
                    PixelConversion.Rgba16To8(samples, buffer, pixelCount, format);
                }
                else if (format == PixelFormat.Gray8)
                {
                    PixelConversion.RgbToGrayInPlace(buffer, pixelCount);
                }

                return new DecodedImage(buffer, info.Width, info.Height, format, info, 1, 1);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
            finally
            {
                if (wide is not null)
                {
                    ArrayPool<byte>.Shared.Return(wide);
                }
            }
        }
    }

    private static void Check(int rc, string action)
    {
        if (rc == SpngNative.Ok)
        {
            return;
        }

        var text = Marshal.PtrToStringUTF8((nint)SpngNative.StrError(rc)) ?? $"error {rc}";
        var reason = rc switch
        {
            SpngNative.IoEof or SpngNative.EEof or SpngNative.EIdatTooShort => ImageDecodeError.Truncated,
            SpngNative.EUserWidth or SpngNative.EUserHeight or SpngNative.EChunkLimits => ImageDecodeError.TooLarge,
            _ => ImageDecodeError.Corrupt,
        };
        throw new ImageDecodeException(reason, $"Could not {action}: {text} (libspng error {rc}).");
    }
}
