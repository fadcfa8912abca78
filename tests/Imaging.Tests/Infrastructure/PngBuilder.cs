using System.Buffers.Binary;
using System.IO.Compression;

namespace MlAspire.Imaging.Tests.Infrastructure;

/// <summary>Builds PNG files byte by byte (valid CRCs unless asked otherwise) for malformed-input tests.</summary>
public static class PngBuilder
{
    public static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Ihdr(uint width, uint height, byte bitDepth = 8, byte colorType = 0, byte interlace = 0)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = bitDepth;
        data[9] = colorType;
        data[12] = interlace;
        return Chunk("IHDR", data);
    }

    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        for (var i = 0; i < 4; i++)
        {
            chunk[4 + i] = (byte)type[i];
        }

        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>zlib-compresses <paramref name="length"/> zero bytes (filter type 0 rows of black pixels).</summary>
    public static byte[] ZlibZeros(long length)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var block = new byte[1 << 16];
            for (var left = length; left > 0; left -= block.Length)
            {
                z.Write(block, 0, (int)Math.Min(block.Length, left));
            }
        }

        return output.ToArray();
    }

    /// <summary>zlib-compresses the given scanlines (each row led by its filter-type byte).</summary>
    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] File(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(c => c), .. Chunk("IEND", [])];
}
