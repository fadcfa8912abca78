using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace MlAspire.Imaging;

/// <summary>
/// Reads an encoded image's header (PNG signature + IHDR, JPEG markers up to the SOFn frame header) in managed code,
/// without decoding pixels or allocating, so a request can be rejected before it is queued.
/// The format is sniffed from magic bytes; a declared content type is never trusted.
/// </summary>
public static class ImageProbe
{
    // PNG: https://www.w3.org/TR/png/#5PNG-file-signature and #11IHDR
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const int PngHeaderLength = 8 + 8 + 13 + 4; // signature, length+type, IHDR data, CRC
    private const int PngMaxDimension = int.MaxValue;   // 2^31 - 1, PNG spec 12.2

    /// <summary>Recognises the container format from its leading bytes.</summary>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (data.Length >= PngSignature.Length && data[..PngSignature.Length].SequenceEqual(PngSignature))
        {
            return ImageFormat.Png;
        }

        return ImageFormat.Unknown;
    }

    /// <summary>Reads the header; false when the data is not a well-formed JPEG or PNG header.</summary>
    public static bool TryProbe(ReadOnlySpan<byte> data, out ImageInfo info)
        => TryParse(data, out info, out _, out _);

    /// <summary>Reads the header or throws <see cref="ImageDecodeException"/> saying why it cannot.</summary>
    public static ImageInfo Probe(ReadOnlySpan<byte> data)
    {
        if (!TryParse(data, out var info, out var error, out var message))
        {
            throw new ImageDecodeException(error, message);
        }

        return info;
    }

    /// <summary>
    /// Reads the header and checks it against <paramref name="limits"/>: what the gateway calls to reject bad or
    /// oversized uploads (a decompression bomb's 65535×65535 header is refused here, before any allocation).
    /// </summary>
    public static ImageInfo Probe(ReadOnlySpan<byte> data, ImageLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.EnsureEncodedLengthWithin(data.Length);
        var info = Probe(data);
        limits.EnsureWithin(info);
        return info;
    }

    internal static bool TryParse(
        ReadOnlySpan<byte> data,
        out ImageInfo info,
        out ImageDecodeError error,
        [NotNullWhen(false)] out string? message)
    {
        info = default;
        if (data.IsEmpty)
        {
            error = ImageDecodeError.Empty;
            message = "The image is empty (0 bytes).";
            return false;
        }

        switch (DetectFormat(data))
        {
            case ImageFormat.Png:
                return TryParsePng(data, out info, out error, out message);
            case ImageFormat.Jpeg:
                return TryParseJpeg(data, out info, out error, out message);
            default:
                error = ImageDecodeError.UnsupportedFormat;
                message = DescribeUnknown(data);
                return false;
        }
    }

    private static bool TryParsePng(
        ReadOnlySpan<byte> data, out ImageInfo info, out ImageDecodeError error, [NotNullWhen(false)] out string? message)
    {
        info = default;
        if (data.Length < PngHeaderLength)
        {
            return Fail(ImageDecodeError.Truncated, $"The PNG ends after {data.Length} bytes, inside its header.", out error, out message);
        }

        var chunkLength = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        var chunkType = data.Slice(12, 4);
        if (chunkLength != 13 || !chunkType.SequenceEqual("IHDR"u8))
        {
            return Fail(ImageDecodeError.Corrupt, "The PNG does not start with a 13-byte IHDR chunk.", out error, out message);
        }

        var ihdr = data.Slice(16, 13);
        var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[29..]);
        if (Crc32.Compute(data.Slice(12, 17)) != storedCrc)
        {
            return Fail(ImageDecodeError.Corrupt, "The PNG IHDR chunk fails its CRC check.", out error, out message);
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        var height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        int bitDepth = ihdr[8];
        int colorType = ihdr[9];
        if (width == 0 || height == 0 || width > PngMaxDimension || height > PngMaxDimension)
        {
            return Fail(ImageDecodeError.Corrupt, $"The PNG declares invalid dimensions {width}x{height}.", out error, out message);
        }

        (ImageColorType Type, int Channels, bool DepthOk)? model = colorType switch
        {
            0 => (ImageColorType.Gray, 1, bitDepth is 1 or 2 or 4 or 8 or 16),
            2 => (ImageColorType.Rgb, 3, bitDepth is 8 or 16),
            3 => (ImageColorType.Indexed, 1, bitDepth is 1 or 2 or 4 or 8),
            4 => (ImageColorType.GrayAlpha, 2, bitDepth is 8 or 16),
            6 => (ImageColorType.Rgba, 4, bitDepth is 8 or 16),
            _ => null,
        };
        if (model is null || !model.Value.DepthOk)
        {
            return Fail(
                ImageDecodeError.Corrupt,
                $"The PNG declares an invalid colour type {colorType} with bit depth {bitDepth}.",
                out error,
                out message);
        }

        if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        {
            return Fail(
                ImageDecodeError.Corrupt,
                "The PNG declares an unknown compression, filter or interlace method.",
                out error,
                out message);
        }

        info = new ImageInfo(ImageFormat.Png, (int)width, (int)height, model.Value.Type, model.Value.Channels, bitDepth, ihdr[12] == 1);
        error = default;
        message = null;
        return true;
    }

    // JPEG markers: ITU-T T.81 Annex B (B.1.1.3 marker assignments, B.2.2 frame header).
    private static bool TryParseJpeg(
        ReadOnlySpan<byte> data, out ImageInfo info, out ImageDecodeError error, [NotNullWhen(false)] out string? message)
    {
        info = default;
        var pos = 2; // after SOI
        while (true)
        {
            if (pos >= data.Length)
            {
                return Fail(ImageDecodeError.Truncated, "The JPEG ends before its frame header (SOFn).", out error, out message);
            }

            if (data[pos] != 0xFF)
            {
                return Fail(
                    ImageDecodeError.Corrupt,
                    $"The JPEG has a byte 0x{data[pos]:X2} at offset {pos} where a marker was expected.",
                    out error,
                    out message);
            }

            // Any number of 0xFF fill bytes may precede a marker code (B.1.1.2).
            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                return Fail(ImageDecodeError.Truncated, "The JPEG ends inside a marker.", out error, out message);
            }

            var marker = data[pos++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // TEM and RSTn stand alone.
            }

            if (marker is 0x00 or 0xD8 or 0xD9 or 0xDA)
            {
                var what = marker switch
                {
                    0xD9 => "an end-of-image marker",
                    0xDA => "scan data",
                    0xD8 => "a second start-of-image marker",
                    _ => "a stuffed zero byte",
                };
                return Fail(
                    ImageDecodeError.Corrupt,
                    $"The JPEG reaches {what} at offset {pos - 1} before any frame header (SOFn).",
                    out error,
                    out message);
            }

            if (pos + 2 > data.Length)
            {
                return Fail(ImageDecodeError.Truncated, "The JPEG ends inside a marker segment length.", out error, out message);
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2)
            {
                return Fail(
                    ImageDecodeError.Corrupt,
                    $"The JPEG marker 0xFF{marker:X2} at offset {pos - 2} has an invalid length {length}.",
                    out error,
                    out message);
            }

            if (pos + length > data.Length)
            {
                return Fail(
                    ImageDecodeError.Truncated,
                    $"The JPEG ends inside the segment of marker 0xFF{marker:X2}.",
                    out error,
                    out message);
            }

            var isFrame = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isFrame)
            {
                return TryParseJpegFrame(marker, data.Slice(pos + 2, length - 2), out info, out error, out message);
            }

            pos += length;
        }
    }

    private static bool TryParseJpegFrame(
        byte marker, ReadOnlySpan<byte> frame, out ImageInfo info, out ImageDecodeError error, [NotNullWhen(false)] out string? message)
    {
        info = default;
        if (frame.Length < 6)
        {
            return Fail(ImageDecodeError.Corrupt, "The JPEG frame header is too short.", out error, out message);
        }

        int precision = frame[0];
        int height = BinaryPrimitives.ReadUInt16BigEndian(frame[1..]);
        int width = BinaryPrimitives.ReadUInt16BigEndian(frame[3..]);
        int components = frame[5];
        if (frame.Length != 6 + (3 * components) || components == 0)
        {
            return Fail(
                ImageDecodeError.Corrupt,
                $"The JPEG frame header declares {components} components but is {frame.Length + 2} bytes long.",
                out error,
                out message);
        }

        // Baseline (C0), extended (C1), progressive (C2) with Huffman coding, and their arithmetic-coded
        // counterparts (C9, CA), at 8-bit precision: what TurboJPEG 2.1 decodes. Lossless (C3, CB) and
        // hierarchical (C5-C7, CD-CF) processes are not supported.
        if (marker is not (0xC0 or 0xC1 or 0xC2 or 0xC9 or 0xCA))
        {
            return Fail(
                ImageDecodeError.UnsupportedFeature,
                $"The JPEG uses coding process SOF{marker - 0xC0} (lossless or hierarchical), which is not supported.",
                out error,
                out message);
        }

        if (precision != 8)
        {
            return Fail(
                ImageDecodeError.UnsupportedFeature,
                $"The JPEG has {precision}-bit samples; only 8-bit JPEG is supported.",
                out error,
                out message);
        }

        if (width == 0)
        {
            return Fail(ImageDecodeError.Corrupt, "The JPEG declares a width of 0.", out error, out message);
        }

        if (height == 0)
        {
            return Fail(
                ImageDecodeError.UnsupportedFeature,
                "The JPEG defers its height to a DNL marker, which is not supported.",
                out error,
                out message);
        }

        ImageColorType? colorType = components switch
        {
            1 => ImageColorType.Gray,
            3 => ImageColorType.Rgb,
            4 => ImageColorType.Cmyk,
            _ => null,
        };
        if (colorType is null)
        {
            return Fail(
                ImageDecodeError.UnsupportedFeature,
                $"The JPEG has {components} components; only 1, 3 or 4 are supported.",
                out error,
                out message);
        }

        info = new ImageInfo(ImageFormat.Jpeg, width, height, colorType.Value, components, precision, marker is 0xC2 or 0xCA);
        error = default;
        message = null;
        return true;
    }

    private static string DescribeUnknown(ReadOnlySpan<byte> data)
    {
        var name = data switch
        {
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "GIF",
            [(byte)'B', (byte)'M', ..] => "BMP",
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "WebP",
            [(byte)'I', (byte)'I', 42, 0, ..] or [(byte)'M', (byte)'M', 0, 42, ..] => "TIFF",
            [0xFF, 0xD8, ..] => "a JPEG start-of-image marker without a following marker",
            _ => null,
        };
        return name is null
            ? "The data is neither a JPEG nor a PNG image."
            : $"The data looks like {name}; only JPEG and PNG are supported.";
    }

    private static bool Fail(ImageDecodeError reason, string text, out ImageDecodeError error, out string message)
    {
        error = reason;
        message = text;
        return false;
    }
}
