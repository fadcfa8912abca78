using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace MlAspire.Redis;

/// <summary>
/// Encodes commands the way clients send them: an array of bulk strings
/// (https://redis.io/docs/latest/develop/reference/protocol-spec/#sending-commands-to-a-redis-server).
/// </summary>
internal static class RespWriter
{
    private const int MaxNumberLength = 32;

    public static void WriteCommand(IBufferWriter<byte> writer, string command, ReadOnlySpan<RedisValue> args)
    {
        WriteHeader(writer, (byte)'*', args.Length + 1);
        WriteBulk(writer, command);
        foreach (var arg in args)
        {
            WriteValue(writer, arg);
        }
    }

    private static void WriteValue(IBufferWriter<byte> writer, in RedisValue value)
    {
        switch (value.Kind)
        {
            case RedisValueKind.Null:
                WriteBulk(writer, ReadOnlySpan<byte>.Empty);
                break;
            case RedisValueKind.String:
                WriteBulk(writer, value.Text!);
                break;
            case RedisValueKind.Bytes:
                WriteBulk(writer, value.RawBytes.Span);
                break;
            case RedisValueKind.Int64:
                {
                    Span<byte> digits = stackalloc byte[MaxNumberLength];
                    Utf8Formatter.TryFormat(value.Int64Bits, digits, out var written);
                    WriteBulk(writer, digits[..written]);
                    break;
                }

            default:
                WriteBulk(writer, value.ToString());
                break;
        }
    }

    private static void WriteBulk(IBufferWriter<byte> writer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteHeader(writer, (byte)'$', length);
        var span = writer.GetSpan(length + 2);
        var written = Encoding.UTF8.GetBytes(text, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        writer.Advance(written + 2);
    }

    private static void WriteBulk(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        WriteHeader(writer, (byte)'$', bytes.Length);
        var span = writer.GetSpan(bytes.Length + 2);
        bytes.CopyTo(span);
        span[bytes.Length] = (byte)'\r';
        span[bytes.Length + 1] = (byte)'\n';
        writer.Advance(bytes.Length + 2);
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte type, int length)
    {
        var span = writer.GetSpan(MaxNumberLength);
        span[0] = type;
        Utf8Formatter.TryFormat(length, span[1..], out var written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        writer.Advance(written + 3);
    }
}
