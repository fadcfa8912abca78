using MlAspire.Imaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlAspire.Imaging.Tests;

[Collection(TestImagesCollection.Name)]
public sealed class ImageDecoderTests(TestImages images, ITestOutputHelper output)
{
    // JPEG tolerance: both sides run libjpeg-turbo's accurate integer IDCT with fancy upsampling, but ImageMagick links
    // libjpeg (62 ABI) through its own read path and may pick a different SIMD/C code path or upsampler, so a sample
    // may differ by a rounding step or two. A real decoding bug (wrong colour conversion, chroma siting, row order)
    // moves values by tens, and the mean bound catches systematic drift.
    private const int JpegMaxAbsDiff = 3;
    private const double JpegMaxMeanAbsDiff = 0.5;

    public static TheoryData<string, ImageColorType, int, bool> PngCorpus => new()
    {
        { "png-gray8", ImageColorType.Gray, 8, false },
        { "png-gray4", ImageColorType.Gray, 4, false },
        { "png-gray16", ImageColorType.Gray, 16, false },
        { "png-gray-alpha8", ImageColorType.GrayAlpha, 8, false },
        { "png-rgb8", ImageColorType.Rgb, 8, false },
        { "png-rgb16", ImageColorType.Rgb, 16, false },
        { "png-rgba8", ImageColorType.Rgba, 8, false },
        { "png-rgba16", ImageColorType.Rgba, 16, false },
        { "png-palette", ImageColorType.Indexed, 8, false },
        { "png-palette-trns", ImageColorType.Indexed, 8, false },
        { "png-interlaced", ImageColorType.Rgb, 8, true },
        { "png-interlaced16", ImageColorType.Rgba, 16, true },
    };

    public static TheoryData<string, ImageColorType, bool> JpegCorpus => new()
    {
        { "jpeg-420", ImageColorType.Rgb, false },
        { "jpeg-422", ImageColorType.Rgb, false },
        { "jpeg-444", ImageColorType.Rgb, false },
        { "jpeg-gray", ImageColorType.Gray, false },
        { "jpeg-progressive", ImageColorType.Rgb, true },
    };

    [Theory]
    [MemberData(nameof(PngCorpus))]
    public void PngDecodesToExactlyTheRgbPixelsImageMagickDecodes(string name, ImageColorType colorType, int bitDepth, bool interlaced)
    {
        var bytes = images.Bytes(name);
        var info = ImageProbe.Probe(bytes);
        Assert.Equal((ImageFormat.Png, 61, 47, colorType, bitDepth, interlaced), (info.Format, info.Width, info.Height, info.ColorType, info.BitDepth, info.IsInterlaced));

        using var image = ImageDecoder.Decode(bytes, PixelFormat.Rgb24);
        Assert.Equal((61, 47, 3), (image.Width, image.Height, image.Channels));
        var expected = ImageMagick.RawPixels(images.Path(name), PixelFormat.Rgb24);
        AssertPixelsEqual(expected, image.Pixels, 61, 3);
    }

    [Theory]
    [InlineData("png-gray8")]
    [InlineData("png-gray4")]
    [InlineData("png-gray16")]
    [InlineData("png-gray-alpha8")]
    public void GrayPngDecodesToExactlyTheGrayPixelsImageMagickDecodes(string name)
    {
        using var image = ImageDecoder.Decode(images.Bytes(name), PixelFormat.Gray8);
        Assert.Equal(1, image.Channels);
        AssertPixelsEqual(ImageMagick.RawPixels(images.Path(name), PixelFormat.Gray8), image.Pixels, 61, 1);
    }

    [Theory]
    [InlineData("png-rgb8")]
    [InlineData("png-rgb16")]
    [InlineData("png-palette")]
    public void ColourPngDecodedAsGrayIsTheBt601LumaOfItsRgbPixels(string name)
    {
        var bytes = images.Bytes(name);
        using var rgb = ImageDecoder.Decode(bytes, PixelFormat.Rgb24);
        using var gray = ImageDecoder.Decode(bytes, PixelFormat.Gray8);
        var p = rgb.Pixels;
        var g = gray.Pixels;
        for (var i = 0; i < gray.Width * gray.Height; i++)
        {
            var luma = (0.299 * p[3 * i]) + (0.587 * p[(3 * i) + 1]) + (0.114 * p[(3 * i) + 2]);
            Assert.InRange(g[i] - luma, -0.51, 0.51);
        }
    }

    [Theory]
    [MemberData(nameof(JpegCorpus))]
    public void JpegDecodesWithinTolerranceOfImageMagick(string name, ImageColorType colorType, bool progressive)
    {
        var bytes = images.Bytes(name);
        var info = ImageProbe.Probe(bytes);
        Assert.Equal((ImageFormat.Jpeg, 61, 47, colorType, progressive), (info.Format, info.Width, info.Height, info.ColorType, info.IsInterlaced));

        foreach (var format in new[] { PixelFormat.Rgb24, PixelFormat.Gray8 })
        {
            if (format == PixelFormat.Gray8 && colorType != ImageColorType.Gray)
            {
                continue; // colour → gray is compared against our own luma below, not ImageMagick's intensity formula
            }

            using var image = ImageDecoder.Decode(bytes, format);
            Assert.Equal((61, 47, 1, 1), (image.Width, image.Height, image.ScaleNumerator, image.ScaleDenominator));
            AssertClose(ImageMagick.RawPixels(images.Path(name), format), image.Pixels, JpegMaxAbsDiff, JpegMaxMeanAbsDiff);
        }
    }

    [Theory]
    [InlineData("jpeg-420")]
    [InlineData("jpeg-444")]
    [InlineData("jpeg-progressive")]
    public void ColourJpegDecodedAsGrayIsCloseToTheLumaOfItsRgbDecode(string name)
    {
        var bytes = images.Bytes(name);
        using var rgb = ImageDecoder.Decode(bytes, PixelFormat.Rgb24);
        using var gray = ImageDecoder.Decode(bytes, PixelFormat.Gray8);
        var p = rgb.Pixels;
        var luma = new byte[gray.Width * gray.Height];
        for (var i = 0; i < luma.Length; i++)
        {
            luma[i] = (byte)Math.Round((0.299 * p[3 * i]) + (0.587 * p[(3 * i) + 1]) + (0.114 * p[(3 * i) + 2]));
        }

        // Gray8 reads the Y plane; RGB is reconstructed from Y and upsampled chroma and clamped to 0..255, so the two
        // agree up to rounding except where clamping a saturated colour moved its luma by a few steps.
        AssertClose(luma, gray.Pixels, 6, 0.1);
    }

    [Fact]
    public void CmykJpegDecodesToRgbCloseToImageMagick()
    {
        var bytes = images.Bytes("jpeg-cmyk");
        Assert.Equal(ImageColorType.Cmyk, ImageProbe.Probe(bytes).ColorType);
        using var image = ImageDecoder.Decode(bytes, PixelFormat.Rgb24);
        AssertClose(ImageMagick.RawPixels(images.Path("jpeg-cmyk"), PixelFormat.Rgb24), image.Pixels, 3, 0.6);
    }

    [Fact]
    public void JpegIsScaledAtDecodeTimeToTheSmallestFactorThatStillCoversTheTarget()
    {
        var bytes = images.Bytes("jpeg-640x480");
        using (var half = ImageDecoder.Decode(bytes, PixelFormat.Rgb24, minWidth: 224, minHeight: 224))
        {
            Assert.Equal((320, 240, 1, 2), (half.Width, half.Height, half.ScaleNumerator, half.ScaleDenominator));
            Assert.Equal((640, 480), (half.Source.Width, half.Source.Height));

            // The scaled decode approximates a 2x2 box-filtered full decode.
            using var full = ImageDecoder.Decode(bytes, PixelFormat.Rgb24);
            var boxed = new byte[320 * 240 * 3];
            var f = full.Pixels;
            for (var y = 0; y < 240; y++)
            {
                for (var x = 0; x < 320; x++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var sum = f[(((2 * y) * 640) + (2 * x)) * 3 + c] + f[(((2 * y) * 640) + (2 * x) + 1) * 3 + c]
                            + f[(((2 * y + 1) * 640) + (2 * x)) * 3 + c] + f[(((2 * y + 1) * 640) + (2 * x) + 1) * 3 + c];
                        boxed[((y * 320) + x) * 3 + c] = (byte)((sum + 2) / 4);
                    }
                }
            }

            AssertClose(boxed, half.Pixels, 40, 2.0);
        }

        using (var eighth = ImageDecoder.Decode(bytes, PixelFormat.Gray8, minWidth: 28, minHeight: 28))
        {
            Assert.Equal((80, 60, 1, 8), (eighth.Width, eighth.Height, eighth.ScaleNumerator, eighth.ScaleDenominator));
        }

        using (var exact = ImageDecoder.Decode(bytes, PixelFormat.Gray8, minWidth: 600, minHeight: 100))
        {
            // 7/8 gives 560 < 600, so nothing smaller than full size covers the width.
            Assert.Equal((640, 480), (exact.Width, exact.Height));
        }
    }

    [Fact]
    public void AlphaIsDroppedNotComposited()
    {
        // 2x1 RGBA: a fully transparent and a half transparent pixel keep their stored colour.
        byte[] row = [0, 200, 100, 50, 0, 10, 20, 30, 128];
        var png = PngBuilder.File(PngBuilder.Ihdr(2, 1, 8, 6), PngBuilder.Chunk("IDAT", PngBuilder.Zlib(row)));
        using var rgb = ImageDecoder.Decode(png, PixelFormat.Rgb24);
        Assert.Equal([200, 100, 50, 10, 20, 30], rgb.Pixels.ToArray());
        using var gray = ImageDecoder.Decode(png, PixelFormat.Gray8);
        Assert.Equal([PixelConversion.Luma(200, 100, 50), PixelConversion.Luma(10, 20, 30)], gray.Pixels.ToArray());
    }

    [Fact]
    public void PaletteTransparencyDoesNotChangeTheColours()
    {
        // 2x1 palette image, index 0 fully transparent through tRNS.
        var png = PngBuilder.File(
            PngBuilder.Ihdr(2, 1, 8, 3),
            PngBuilder.Chunk("PLTE", [255, 0, 0, 0, 0, 255]),
            PngBuilder.Chunk("tRNS", [0]),
            PngBuilder.Chunk("IDAT", PngBuilder.Zlib([0, 0, 1])));
        using var rgb = ImageDecoder.Decode(png, PixelFormat.Rgb24);
        Assert.Equal([255, 0, 0, 0, 0, 255], rgb.Pixels.ToArray());
    }

    [Fact]
    public void SixteenBitSamplesBecomeEightBitByTruncatingDivisionBy257()
    {
        // 4x1 gray 16-bit: 0x0000, 0x8080 (= 128 * 257), 0x80FF (33023, just below 129 * 257), 0xFFFF.
        byte[] row = [0, 0x00, 0x00, 0x80, 0x80, 0x80, 0xFF, 0xFF, 0xFF];
        var png = PngBuilder.File(PngBuilder.Ihdr(4, 1, 16, 0), PngBuilder.Chunk("IDAT", PngBuilder.Zlib(row)));
        using var gray = ImageDecoder.Decode(png, PixelFormat.Gray8);
        Assert.Equal([0, 128, 128, 255], gray.Pixels.ToArray());
    }

    [Fact]
    public void DecodedPixelsAreUnavailableAfterDispose()
    {
        var image = ImageDecoder.Decode(images.Bytes("png-rgb8"), PixelFormat.Rgb24);
        image.Dispose();
        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => image.Pixels.Length);
    }

    private static void AssertPixelsEqual(byte[] expected, ReadOnlySpan<byte> actual, int width, int channels)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                var pixel = i / channels;
                Assert.Fail($"Sample {i} (x={pixel % width}, y={pixel / width}, c={i % channels}): expected {expected[i]}, got {actual[i]}.");
            }
        }
    }

    private void AssertClose(byte[] expected, ReadOnlySpan<byte> actual, int maxAbs, double maxMean)
    {
        Assert.Equal(expected.Length, actual.Length);
        long total = 0;
        var worst = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs(expected[i] - actual[i]);
            total += d;
            worst = Math.Max(worst, d);
        }

        var mean = (double)total / expected.Length;
        output.WriteLine($"max |diff| {worst}, mean |diff| {mean:F4} over {expected.Length} samples");
        Assert.True(worst <= maxAbs && mean <= maxMean, $"max |diff| {worst} (limit {maxAbs}), mean |diff| {mean:F3} (limit {maxMean}).");
    }
}
