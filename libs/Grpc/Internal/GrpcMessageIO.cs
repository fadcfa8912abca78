using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;

namespace MlAspire.Grpc.Internal;

/// <summary>Reads and writes length-prefixed protobuf messages over pipes (shared by server and client).</summary>
internal static class GrpcMessageIO
{
    private const int DirectWriteLimit = 64 * 1024;

    /// <summary>Reads the next message (null at a clean end of stream) and whether it arrived compressed.</summary>
    public static async ValueTask<(T? Message, bool Compressed)> ReadMessageAsync<T>(PipeReader reader, MessageParser<T> parser, int maxSize,
        bool gzipAllowed, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            var buffer = result.Buffer;
            T? message;
            bool parsed;
            bool compressed;
            try
            {
                parsed = TryParse(ref buffer, parser, maxSize, gzipAllowed, out message, out compressed);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }

            if (parsed)
            {
                reader.AdvanceTo(buffer.Start);
                return (message, compressed);
            }

            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (leftover > 0)
                {
                    throw new RpcException(StatusCode.Internal,
                        $"Incomplete message: the stream ended {leftover} bytes into a frame.");
                }

                return (null, false);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Parses one message from the front of <paramref name="buffer"/> if a whole frame is there.</summary>
    public static bool TryParse<T>(ref ReadOnlySequence<byte> buffer, MessageParser<T> parser, int maxSize,
        bool gzipAllowed, out T? message, out bool compressed)
        where T : class, IMessage<T>
    {
        message = null;
        if (!GrpcFrame.TryRead(ref buffer, maxSize, out compressed, out var payload))
        {
            return false;
        }

        try
        {
            if (compressed)
            {
                if (!gzipAllowed)
                {
                    throw new RpcException(StatusCode.Internal,
                        "Compressed flag set but grpc-encoding is identity or absent.");
                }

                message = parser.ParseFrom(GzipCompression.Decompress(payload, maxSize));
            }
            else
            {
                message = parser.ParseFrom(payload);
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize message."), null, ex);
        }

        return true;
    }

    /// <summary>Writes one framed message; RESOURCE_EXHAUSTED when it is over <paramref name="maxSize"/>.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, int maxSize, bool gzip,
        CompressionLevel level)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message larger than max ({size} vs. {maxSize}).");
        }

        if (!gzip && size <= DirectWriteLimit)
        {
            var span = writer.GetSpan(GrpcProtocol.FrameHeaderSize + size);
            GrpcFrame.WriteHeader(span, compressed: false, size);
            message.WriteTo(span.Slice(GrpcProtocol.FrameHeaderSize, size));
            writer.Advance(GrpcProtocol.FrameHeaderSize + size);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            var body = rented.AsSpan(0, size);
            message.WriteTo(body);
            Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
            if (gzip)
            {
                var packed = GzipCompression.Compress(body, level);
                GrpcFrame.WriteHeader(header, compressed: true, packed.Length);
                writer.Write(header);
                writer.Write(packed);
            }
            else
            {
                GrpcFrame.WriteHeader(header, compressed: false, size);
                writer.Write(header);
                writer.Write(body);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Serializes one framed message into a new array (client request bodies).</summary>
    public static byte[] SerializeFrame(IMessage message, int maxSize, bool gzip, CompressionLevel level)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message larger than max ({size} vs. {maxSize}).");
        }

        if (!gzip)
        {
            var frame = new byte[GrpcProtocol.FrameHeaderSize + size];
            GrpcFrame.WriteHeader(frame, compressed: false, size);
            message.WriteTo(frame.AsSpan(GrpcProtocol.FrameHeaderSize));
            return frame;
        }

        var writer = new ArrayBufferWriter<byte>(size + GrpcProtocol.FrameHeaderSize + 32);
        WriteMessage(writer, message, maxSize, gzip: true, level);
        return writer.WrittenSpan.ToArray();
    }
}
