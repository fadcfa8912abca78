using MlAspire.Imaging.Tests.Infrastructure;

namespace MlAspire.Imaging.Tests;

[Collection(TestImagesCollection.Name)]
public sealed class MalformedImageTests(TestImages images)
{
    [Fact]
    public void EmptyInputFailsAsEmpty()
        => AssertFails([], ImageDecodeError.Empty);

    [Fact]
    public void RandomBytesFailAsUnsupportedFormat()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0x00;
        AssertFails(bytes, ImageDecodeError.UnsupportedFormat);
    }

    [Theory]
    [InlineData(0u, 16u)]
    [InlineData(16u, 0u)]
    public void PngDeclaringAZeroSideFailsAsCorruptBeforeDecoding(uint width, uint height)
    {
        var png = PngBuilder.File(PngBuilder.Ihdr(width, height), PngBuilder.Chunk("IDAT", PngBuilder.ZlibZeros(17 * 16)));
        AssertFails(png, ImageDecodeError.Corrupt);
    }

    [Fact]
    public void JpegDeclaringAZeroWidthFailsAsCorruptBeforeDecoding()
    {
        var jpeg = images.Bytes("jpeg-420");
        var sof = IndexOf(jpeg, 0xFF, 0xC0);
        jpeg[sof + 7] = 0; // SOF0: marker, length (2), precision, height (2), width (2)
        jpeg[sof + 8] = 0;
        AssertFails(jpeg, ImageDecodeError.Corrupt);
    }

    [Fact]
    public void PngSignatureAloneFailsAsTruncated()
        => AssertFails(PngBuilder.Signature, ImageDecodeError.Truncated);

    [Fact]
    public void PngHeaderOf65535By65535FailsAsTooLargeWithoutDecoding()
    {
        var bomb = PngBuilder.File(PngBuilder.Ihdr(65535, 65535, 8, 2), PngBuilder.Chunk("IDAT", PngBuilder.ZlibZeros(100_000)));
        AssertFails(bomb, ImageDecodeError.TooLarge);
    }

    [Fact]
    public void EvenWithoutLimitsAHeaderTooLargeForOneBufferFailsAsTooLarge()
    {
        var unlimited = new ImageLimits { MaxWidth = int.MaxValue, MaxHeight = int.MaxValue, MaxPixels = long.MaxValue };
        var png = PngBuilder.File(PngBuilder.Ihdr(65535, 65535, 8, 2), PngBuilder.Chunk("IDAT", PngBuilder.ZlibZeros(1000)));
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, PixelFormat.Rgb24, unlimited));
        Assert.Equal(ImageDecodeError.TooLarge, e.Error);
    }

    [Fact]
    public void PngDecompressionBombWithinTheDeclaredSizeIsRefusedByPixelLimits()
    {
        // 6000 x 6000 gray: 36 MB of pixels from a ~35 kB file. A 4-megapixel limit refuses it from the header.
        const int Side = 6000;
        var bomb = PngBuilder.File(PngBuilder.Ihdr(Side, Side), PngBuilder.Chunk("IDAT", PngBuilder.ZlibZeros((long)(Side + 1) * Side)));
        var e = Assert.Throws<ImageDecodeException>(
            () => ImageDecoder.Decode(bomb, PixelFormat.Gray8, new ImageLimits { MaxPixels = 4_000_000 }));
        Assert.Equal(ImageDecodeError.TooLarge, e.Error);
    }

    [Fact]
    public async Task PngWhoseZlibStreamInflatesFarBeyondItsImageIsBounded()
    {
        // 64 x 64 gray needs 64 x 65 bytes; the IDAT stream inflates to 256 MiB. libspng stops at the last row,
        // so this either decodes the (black) image or fails cleanly, and never inflates the rest.
        var bomb = PngBuilder.File(PngBuilder.Ihdr(64, 64), PngBuilder.Chunk("IDAT", PngBuilder.ZlibZeros(256L << 20)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var outcome = await Task.Run(
            () =>
            {
                try
                {
                    using var image = ImageDecoder.Decode(bomb, PixelFormat.Gray8);
                    return image.Pixels.ToArray().All(p => p == 0) ? "black" : "garbage";
                }
                catch (ImageDecodeException e)
                {
                    return e.Error.ToString();
                }
            },
            cts.Token).WaitAsync(cts.Token);
        Assert.Contains(outcome, new[] { "black", nameof(ImageDecodeError.Corrupt), nameof(ImageDecodeError.Truncated) });
    }

    [Fact]
    public async Task PngWithACompressedTextBombDecodesOrFailsWithinTheChunkCacheLimit()
    {
        var text = new List<byte>("Comment"u8.ToArray()) { 0, 0 };
        text.AddRange(PngBuilder.ZlibZeros(256L << 20));
        var pixels = PngBuilder.ZlibZeros(2 * 3);
        var png = PngBuilder.File(PngBuilder.Ihdr(2, 2), PngBuilder.Chunk("zTXt", text.ToArray()), PngBuilder.Chunk("IDAT", pixels));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = await Task.Run(
            () =>
            {
                try
                {
                    using var image = ImageDecoder.Decode(png, PixelFormat.Gray8);
                    Assert.Equal([0, 0, 0, 0], image.Pixels.ToArray());
                    return (ImageDecodeError?)null;
                }
                catch (ImageDecodeException e)
                {
                    return e.Error;
                }
            },
            cts.Token).WaitAsync(cts.Token);
        Assert.True(error is null or ImageDecodeError.TooLarge or ImageDecodeError.Corrupt, $"unexpected {error}");
    }

    [Fact]
    public void PngWithoutImageDataFails()
    {
        var png = PngBuilder.File(PngBuilder.Ihdr(4, 4));
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, PixelFormat.Gray8));
    }

    [Fact]
    public void PngWithCorruptCompressedDataFailsAsCorrupt()
    {
        var garbage = new byte[200];
        new Random(2).NextBytes(garbage);
        garbage[0] = 0x78;
        garbage[1] = 0x9C;
        var png = PngBuilder.File(PngBuilder.Ihdr(16, 16), PngBuilder.Chunk("IDAT", garbage));
        AssertFails(png, ImageDecodeError.Corrupt);
    }

    [Fact]
    public void PngWithABadIdatCrcFailsAsCorrupt()
    {
        // Two IDAT chunks; the first one's CRC is wrong, which libspng checks before reading the second.
        var stream = PngBuilder.ZlibZeros(17 * 16);
        var first = PngBuilder.Chunk("IDAT", stream.AsSpan(0, stream.Length / 2));
        first[^1] ^= 0xFF;
        var png = PngBuilder.File(PngBuilder.Ihdr(16, 16), first, PngBuilder.Chunk("IDAT", stream.AsSpan(stream.Length / 2)));
        AssertFails(png, ImageDecodeError.Corrupt);
    }

    [Theory]
    [InlineData("png-rgb8")]
    [InlineData("png-interlaced")]
    [InlineData("png-palette-trns")]
    public void PngTruncatedBeforeTheEndOfItsImageDataFailsCleanly(string name)
    {
        var png = images.Bytes(name);
        var (idatStart, idatEnd) = ImageDataRange(png);
        // Cuts inside the compressed pixels. (A cut that only loses the final IDAT's CRC bytes still decodes:
        // every row is present, and libspng does not insist on the trailing checksum.)
        foreach (var cut in new[] { 40, idatStart, idatStart + 10, (idatStart + idatEnd) / 2, idatEnd - 40 })
        {
            var e = Record.Exception(() => ImageDecoder.Decode(png.AsSpan(0, cut), PixelFormat.Rgb24).Dispose()) as ImageDecodeException;
            Assert.True(e is not null, $"cut {cut} of {png.Length} (IDAT {idatStart}..{idatEnd}) decoded");
            Assert.True(e.Error is ImageDecodeError.Truncated or ImageDecodeError.Corrupt, $"{cut}: {e.Error} {e.Message}");
        }
    }

    [Theory]
    [InlineData("jpeg-420")]
    [InlineData("jpeg-progressive")]
    [InlineData("jpeg-gray")]
    public void TruncatedJpegFailsAsTruncated(string name)
    {
        var jpeg = images.Bytes(name);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, jpeg.Length / 2), PixelFormat.Rgb24));
        Assert.Equal(ImageDecodeError.Truncated, e.Error);
        Assert.Contains("Premature end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JpegWithABrokenHuffmanTableFailsAsCorrupt()
    {
        var jpeg = images.Bytes("jpeg-420");
        var dht = IndexOf(jpeg, 0xFF, 0xC4);
        for (var i = dht + 5; i < dht + 21; i++)
        {
            jpeg[i] = 0xFF; // code counts that overflow the 16-bit code space
        }

        AssertFails(jpeg, ImageDecodeError.Corrupt);
    }

    [Fact]
    public void JpegWithGarbageInTheScanFailsCleanly()
    {
        var jpeg = images.Bytes("jpeg-444");
        var sos = IndexOf(jpeg, 0xFF, 0xDA);
        for (var i = sos + 20; i < jpeg.Length - 2; i += 7)
        {
            jpeg[i] = 0xFF; // marker-looking bytes in entropy-coded data
        }

        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg, PixelFormat.Rgb24));
    }

    [Fact]
    public void JpegWithoutAnEndOfImageMarkerFails()
    {
        var jpeg = images.Bytes("jpeg-420");
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, jpeg.Length - 2), PixelFormat.Rgb24));
    }

    private static void AssertFails(byte[] data, ImageDecodeError expected)
    {
        foreach (var format in new[] { PixelFormat.Gray8, PixelFormat.Rgb24 })
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data, format));
            Assert.Equal(expected, e.Error);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    private static (int Start, int End) ImageDataRange(byte[] png)
    {
        int start = -1, end = -1;
        for (var pos = 8; pos + 8 <= png.Length;)
        {
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (png.AsSpan(pos + 4, 4).SequenceEqual("IDAT"u8))
            {
                start = start < 0 ? pos : start;
                end = pos + 12 + length;
            }

            pos += 12 + length;
        }

        return (start, end);
    }

    private static int IndexOf(byte[] data, byte a, byte b)
    {
        for (var i = 0; i + 1 < data.Length; i++)
        {
            if (data[i] == a && data[i + 1] == b)
            {
                return i;
            }
        }

        throw new InvalidOperationException("marker not found");
    }
}
