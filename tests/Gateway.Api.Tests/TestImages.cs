using System.Buffers.Binary;
using MlAspire.Tests.Shared;

namespace MlAspire.Gateway.Api.Tests;

internal static class TestImages
{
    /// <summary>A held-out digit PNG from the demo model's test data.</summary>
    public static byte[] Digit(int index = 0) =>
        File.ReadAllBytes(Directory.GetFiles(Path.Combine(RepoRoot.Models, "digits", "testdata"), "*.png").Order(StringComparer.Ordinal).ElementAt(index));

    /// <summary>A PNG whose IHDR claims <paramref name="width"/>×<paramref name="height"/> (valid CRC, no image data).</summary>
    public static byte[] PngHeaderClaiming(int width, int height)
    {
        var png = new byte[8 + 8 + 13 + 4];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(8), 13);
        "IHDR"u8.CopyTo(png.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        png[24] = 8; // bit depth; colour type 0 (gray), compression/filter/interlace 0
        var crc = Crc32(png.AsSpan(12, 17));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
        return png;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
