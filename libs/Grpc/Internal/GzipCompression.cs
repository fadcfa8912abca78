using System.Buffers;
using System.IO.Compression;

namespace MlAspire.Grpc.Internal;

/// <summary>gzip message compression with a bound on the inflated size.</summary>
internal static class GzipCompression
{
    public static byte[] Compress(ReadOnlySpan<byte> data, CompressionLevel level)
    {
        using var output = new MemoryStream(Math.Max(64, data.Length / 2));
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Inflates <paramref name="compressed"/>; RESOURCE_EXHAUSTED past <paramref name="maxSize"/>, INTERNAL if corrupt.</summary>
    public static byte[] Decompress(ReadOnlySequence<byte> compressed, int maxSize)
    {
        var input = compressed.IsSingleSegment ? compressed.First.ToArray() : compressed.ToArray();
        using var source = new MemoryStream(input, writable: false);
        using var gzip = new GZipStream(source, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > maxSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"Decompressed message larger than max ({maxSize}).");
                }

                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress message."), null, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return output.ToArray();
    }
}
