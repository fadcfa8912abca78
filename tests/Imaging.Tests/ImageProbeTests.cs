using System.Buffers.Binary;
using MlAspire.Imaging.Tests.Infrastructure;

namespace MlAspire.Imaging.Tests;

[Collection(TestImagesCollection.Name)]
public sealed class ImageProbeTests(TestImages images)
{
    [Fact]
    public void FormatIsSniffedFromMagicBytes()
    {
        Assert.Equal(ImageFormat.Png, ImageProbe.DetectFormat(images.Bytes("png-rgb8")));
        Assert.Equal(ImageFormat.Jpeg, ImageProbe.DetectFormat(images.Bytes("jpeg-420")));
        Assert.Equal(ImageFormat.Unknown, ImageProbe.DetectFormat("GIF89a......"u8));
        Assert.Equal(ImageFormat.Unknown, ImageProbe.DetectFormat([]));
        Assert.Equal(ImageFormat.Unknown, ImageProbe.DetectFormat([0xFF, 0xD8]));
    }

    [Theory]
    [InlineData("png-gray8", ImageFormat.Png, ImageColorType.Gray, 1, 8)]
    [InlineData("png-gray16", ImageFormat.Png, ImageColorType.Gray, 1, 16)]
    [InlineData("png-gray-alpha8", ImageFormat.Png, ImageColorType.GrayAlpha, 2, 8)]
    [InlineData("png-rgb8", ImageFormat.Png, ImageColorType.Rgb, 3, 8)]
    [InlineData("png-rgba16", ImageFormat.Png, ImageColorType.Rgba, 4, 16)]
    [InlineData("png-palette", ImageFormat.Png, ImageColorType.Indexed, 1, 8)]
    [InlineData("jpeg-420", ImageFormat.Jpeg, ImageColorType.Rgb, 3, 8)]
    [InlineData("jpeg-gray", ImageFormat.Jpeg, ImageColorType.Gray, 1, 8)]
    [InlineData("jpeg-cmyk", ImageFormat.Jpeg, ImageColorType.Cmyk, 4, 8)]
    public void ProbeReadsTheHeaderOfGeneratedImages(string name, ImageFormat format, ImageColorType colorType, int channels, int bitDepth)
    {
        Assert.True(ImageProbe.TryProbe(images.Bytes(name), out var info));
        Assert.Equal(new ImageInfo(format, 61, 47, colorType, channels, bitDepth, false), info);
        Assert.Equal(61L * 47, info.PixelCount);
    }

    [Fact]
    public void ProbeReadsOnlyTheHeaderSoTheRestOfTheFileMayBeMissing()
    {
        var png = images.Bytes("png-rgb8");
        Assert.Equal(61, ImageProbe.Probe(png.AsSpan(0, 33)).Width);

        var jpeg = images.Bytes("jpeg-progressive");
        var sofEnd = IndexOfSofEnd(jpeg);
        var info = ImageProbe.Probe(jpeg.AsSpan(0, sofEnd));
        Assert.True(info.IsInterlaced);
        Assert.Equal((61, 47), (info.Width, info.Height));
    }

    [Fact]
    public void EveryTruncationOfAPngHeaderIsReportedAsTruncated()
    {
        var png = images.Bytes("png-rgb8");
        for (var length = 8; length < 33; length++)
        {
            Assert.False(ImageProbe.TryProbe(png.AsSpan(0, length), out _));
            var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(png.AsSpan(0, length)));
            Assert.Equal(ImageDecodeError.Truncated, e.Error);
        }
    }

    [Fact]
    public void EveryTruncationOfAJpegBeforeTheEndOfItsFrameHeaderIsReportedAsTruncated()
    {
        var jpeg = images.Bytes("jpeg-420");
        var sofEnd = IndexOfSofEnd(jpeg);
        for (var length = 3; length < sofEnd; length++)
        {
            var copy = jpeg.AsSpan(0, length).ToArray();
            var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(copy));
            Assert.Equal(ImageDecodeError.Truncated, e.Error);
        }
    }

    [Fact]
    public void EmptyInputIsReportedAsEmpty()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe([]));
        Assert.Equal(ImageDecodeError.Empty, e.Error);
        Assert.False(ImageProbe.TryProbe([], out _));
    }

    [Theory]
    [InlineData("GIF89a\u0001\u0000\u0001\u0000", "GIF")]
    [InlineData("BM\u0000\u0000\u0000\u0000", "BMP")]
    [InlineData("RIFF\u0000\u0000\u0000\u0000WEBPVP8 ", "WebP")]
    [InlineData("II*\u0000\u0008\u0000", "TIFF")]
    [InlineData("hello, this is not an image", "neither a JPEG nor a PNG")]
    public void OtherFormatsAreRejectedAsUnsupportedWithTheirName(string content, string expectedInMessage)
    {
        var bytes = content.Select(c => (byte)c).ToArray();
        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(bytes));
        Assert.Equal(ImageDecodeError.UnsupportedFormat, e.Error);
        Assert.Contains(expectedInMessage, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecompressionBombPngHeaderIsRejectedByLimitsBeforeDecoding()
    {
        var bomb = PngBuilder.File(PngBuilder.Ihdr(65535, 65535), PngBuilder.Chunk("IDAT", PngBuilder.ZlibZeros(1000)));
        Assert.True(ImageProbe.TryProbe(bomb, out var info));
        Assert.Equal((65535, 65535), (info.Width, info.Height));

        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(bomb, ImageLimits.Default));
        Assert.Equal(ImageDecodeError.TooLarge, e.Error);
        Assert.Contains("65535x65535", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedJpegHeaderIsRejectedByLimits()
    {
        var jpeg = images.Bytes("jpeg-420");
        var sofStart = IndexOfSofEnd(jpeg) - (6 + 9); // payload after the 2-byte length: P, Y(2), X(2), Nf, 3x3
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sofStart + 1), 65000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sofStart + 3), 65000);
        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(jpeg, ImageLimits.Default));
        Assert.Equal(ImageDecodeError.TooLarge, e.Error);
        Assert.Equal(ImageDecodeError.TooLarge, Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg, PixelFormat.Rgb24)).Error);
    }

    [Fact]
    public void LimitsCoverWidthHeightPixelCountAndEncodedLength()
    {
        var png = images.Bytes("png-rgb8"); // 61x47
        Assert.Equal(61, ImageProbe.Probe(png, new ImageLimits { MaxWidth = 61, MaxHeight = 47, MaxPixels = 61 * 47 }).Width);
        foreach (var limits in new[]
        {
            new ImageLimits { MaxWidth = 60 },
            new ImageLimits { MaxHeight = 46 },
            new ImageLimits { MaxPixels = (61 * 47) - 1 },
            new ImageLimits { MaxEncodedBytes = png.Length - 1 },
        })
        {
            Assert.Equal(ImageDecodeError.TooLarge, Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(png, limits)).Error);
        }
    }

    [Fact]
    public void InvalidLimitsNameTheProperty()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageLimits { MaxPixels = 0 }.Validate());
        Assert.Contains("MaxPixels", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u, 10u, 8, 0, "dimensions")]
    [InlineData(10u, 0u, 8, 0, "dimensions")]
    [InlineData(0x8000_0000u, 10u, 8, 0, "dimensions")]
    [InlineData(10u, 10u, 3, 0, "bit depth 3")]
    [InlineData(10u, 10u, 16, 3, "colour type 3")]
    [InlineData(10u, 10u, 8, 5, "colour type 5")]
    public void InvalidPngHeadersAreCorrupt(uint width, uint height, int bitDepth, int colorType, string expected)
    {
        var png = PngBuilder.File(PngBuilder.Ihdr(width, height, (byte)bitDepth, (byte)colorType));
        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(png));
        Assert.Equal(ImageDecodeError.Corrupt, e.Error);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PngHeaderWithABadCrcIsCorrupt()
    {
        var png = images.Bytes("png-rgb8");
        png[20] ^= 0x01; // a byte of the width
        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(png));
        Assert.Equal(ImageDecodeError.Corrupt, e.Error);
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PngWhoseFirstChunkIsNotIhdrIsCorrupt()
    {
        var png = PngBuilder.File(PngBuilder.Chunk("gAMA", [0, 0, 0xB1, 0x8F]), PngBuilder.Ihdr(1, 1));
        Assert.Equal(ImageDecodeError.Corrupt, Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(png)).Error);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02 }, ImageDecodeError.Corrupt, "scan data")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }, ImageDecodeError.Corrupt, "end-of-image")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34 }, ImageDecodeError.Corrupt, "0x12")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01 }, ImageDecodeError.Corrupt, "invalid length")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x01, 0x00, 0x00 }, ImageDecodeError.Truncated, "ends inside")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x0C, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00 }, ImageDecodeError.UnsupportedFeature, "12-bit")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00 }, ImageDecodeError.UnsupportedFeature, "lossless")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x00, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00 }, ImageDecodeError.UnsupportedFeature, "DNL")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x00, 0x01, 0x01, 0x11, 0x00 }, ImageDecodeError.Corrupt, "width of 0")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 0x01, 0x11, 0x00 }, ImageDecodeError.Corrupt, "components")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0E, 0x08, 0x00, 0x10, 0x00, 0x10, 0x02, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00 }, ImageDecodeError.UnsupportedFeature, "2 components")]
    public void JpegWithBadMarkersIsRejectedFromItsHeader(byte[] jpeg, ImageDecodeError expected, string inMessage)
    {
        Assert.False(ImageProbe.TryProbe(jpeg, out _));
        var e = Assert.Throws<ImageDecodeException>(() => ImageProbe.Probe(jpeg));
        Assert.Equal(expected, e.Error);
        Assert.Contains(inMessage, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JpegFillBytesAndRestartMarkersBeforeTheFrameAreSkipped()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xD0, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x00, 0x07, 0x00, 0x09, 0x01, 0x01, 0x11, 0x00];
        var info = ImageProbe.Probe(jpeg);
        Assert.Equal((9, 7, ImageColorType.Gray, true), (info.Width, info.Height, info.ColorType, info.IsInterlaced));
    }

    internal static int IndexOfSofEnd(byte[] jpeg)
    {
        for (var i = 2; i + 3 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return i + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2));
            }
        }

        throw new InvalidOperationException("no SOF marker");
    }
}
