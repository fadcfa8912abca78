using System.Buffers;
using System.Buffers.Binary;

namespace MlAspire.Grpc.Internal;

/// <summary>Length-Prefixed-Message framing (PROTOCOL-HTTP2.md, "Length-Prefixed-Message").</summary>
internal static class GrpcFrame
{
    /// <summary>
    /// Reads one framed message from the front of <paramref name="buffer"/>. Returns false when more bytes are needed;
    /// on success <paramref name="buffer"/> is advanced past the frame. Throws <see cref="RpcException"/> for a bad
    /// compressed flag (INTERNAL) or a length over <paramref name="maxMessageSize"/> (RESOURCE_EXHAUSTED).
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out bool compressed,
        out ReadOnlySequence<byte> message)
    {
        compressed = false;
        message = default;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        var flag = header[0];
        if (flag > 1)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {flag} in message frame.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received message larger than max ({length} vs. {maxMessageSize}).");
        }

        if (buffer.Length - GrpcProtocol.FrameHeaderSize < length)
        {
            return false;
        }

        compressed = flag == 1;
        message = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }
}
