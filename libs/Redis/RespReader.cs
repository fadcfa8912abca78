using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace MlAspire.Redis;

/// <summary>
/// Decodes RESP2 and RESP3 replies from a <see cref="ReadOnlySequence{T}"/> of any segmentation.
/// Spec: https://redis.io/docs/latest/develop/reference/protocol-spec/ (type bytes in the "RESP protocol description" table).
/// <see cref="TryRead"/> returns false when the buffer holds only part of a reply and throws
/// <see cref="RedisProtocolException"/> when the bytes cannot be a valid reply.
/// </summary>
internal static class RespReader
{
    /// <summary>Longest line (simple string, error, number header) accepted before the reply counts as malformed.</summary>
    internal const int MaxLineLength = 64 * 1024;

    /// <summary>Redis's own proto-max-bulk-len default is 512 MB.</summary>
    internal const long MaxBulkLength = 512L * 1024 * 1024;

    internal const int MaxDepth = 64;

    private const long MaxAggregateLength = int.MaxValue / 2;

    /// <summary>Reads one complete reply from the start of <paramref name="buffer"/> and slices it off.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out RedisResult? result)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (TryReadValue(ref reader, 0, out result))
        {
            buffer = buffer.Slice(reader.Position);
            return true;
        }

        result = null;
        return false;
    }

    /// <summary>Decodes a buffer that must hold exactly one complete reply (tests, tools).</summary>
    public static RedisResult ReadComplete(ReadOnlySequence<byte> buffer)
    {
        if (!TryRead(ref buffer, out var result))
        {
            throw new RedisProtocolException("The reply is truncated: the input ended in the middle of a reply.");
        }

        if (!buffer.IsEmpty)
        {
            throw new RedisProtocolException($"{buffer.Length} unexpected bytes follow the reply.");
        }

        return result;
    }

    private static bool TryReadValue(ref SequenceReader<byte> reader, int depth, [NotNullWhen(true)] out RedisResult? result)
    {
        result = null;
        if (depth > MaxDepth)
        {
            throw new RedisProtocolException($"The reply nests aggregates deeper than {MaxDepth} levels.");
        }

        if (!reader.TryRead(out var type))
        {
            return false;
        }

        switch (type)
        {
            case (byte)'+':
                if (reader.IsNext("OK\r\n"u8, advancePast: true))
                {
                    result = RedisResult.Ok;
                    return true;
                }

                return TryReadLineResult(ref reader, RedisResultType.SimpleString, out result);
            case (byte)'-':
                return TryReadLineResult(ref reader, RedisResultType.Error, out result);
            case (byte)':':
                {
                    if (!TryReadLine(ref reader, out var line))
                    {
                        return false;
                    }

                    result = RedisResult.Integer(ParseInteger(line, "integer"));
                    return true;
                }

            case (byte)'$':
                return TryReadBlob(ref reader, RedisResultType.BulkString, allowNull: true, out result);
            case (byte)'!':
                return TryReadBlob(ref reader, RedisResultType.BlobError, allowNull: false, out result);
            case (byte)'=':
                if (!TryReadBlob(ref reader, RedisResultType.VerbatimString, allowNull: false, out result))
                {
                    return false;
                }

                var raw = result.RawBytes.Span;
                if (raw.Length < 4 || raw[3] != (byte)':')
                {
                    throw new RedisProtocolException("A verbatim string must start with a three-letter format and ':'.");
                }

                return true;
            case (byte)'*':
                return TryReadAggregate(ref reader, RedisResultType.Array, depth, out result);
            case (byte)'~':
                return TryReadAggregate(ref reader, RedisResultType.Set, depth, out result);
            case (byte)'>':
                return TryReadAggregate(ref reader, RedisResultType.Push, depth, out result);
            case (byte)'%':
                return TryReadAggregate(ref reader, RedisResultType.Map, depth, out result);
            case (byte)'|':
                {
                    if (!TryReadAggregate(ref reader, RedisResultType.Map, depth, out var attributes)
                        || !TryReadValue(ref reader, depth + 1, out var value))
                    {
                        return false;
                    }

                    result = value.WithAttributes(attributes);
                    return true;
                }

            case (byte)'_':
                {
                    if (!TryReadLine(ref reader, out var line))
                    {
                        return false;
                    }

                    if (line.Length != 0)
                    {
                        throw new RedisProtocolException("A RESP3 null ('_') must be followed directly by CRLF.");
                    }

                    result = RedisResult.Null;
                    return true;
                }

            case (byte)'#':
                {
                    if (!TryReadLine(ref reader, out var line))
                    {
                        return false;
                    }

                    var flag = line.Length == 1 ? new SequenceReader<byte>(line).UnreadSpan[0] : (byte)0;
                    result = flag is (byte)'t' or (byte)'f'
                        ? RedisResult.Boolean(flag == (byte)'t')
                        : throw new RedisProtocolException("A RESP3 boolean must be '#t' or '#f'.");
                    return true;
                }

            case (byte)',':
                {
                    if (!TryReadLine(ref reader, out var line))
                    {
                        return false;
                    }

                    result = RedisResult.Double(ParseDouble(line));
                    return true;
                }

            case (byte)'(':
                {
                    if (!TryReadLine(ref reader, out var line))
                    {
                        return false;
                    }

                    ValidateBigNumber(line);
                    result = RedisResult.Create(RedisResultType.BigNumber, line.ToArray());
                    return true;
                }

            default:
                throw new RedisProtocolException(
                    $"Unknown RESP type byte 0x{type:X2} ('{(type is >= 0x20 and < 0x7F ? (char)type : '?')}').");
        }
    }

    private static bool TryReadLineResult(ref SequenceReader<byte> reader, RedisResultType type, [NotNullWhen(true)] out RedisResult? result)
    {
        if (!TryReadLine(ref reader, out var line))
        {
            result = null;
            return false;
        }

        result = RedisResult.Create(type, line.ToArray());
        return true;
    }

    private static bool TryReadBlob(
        ref SequenceReader<byte> reader, RedisResultType type, bool allowNull, [NotNullWhen(true)] out RedisResult? result)
    {
        result = null;
        if (!TryReadLine(ref reader, out var line))
        {
            return false;
        }

        var length = ParseInteger(line, "length");
        if (length == -1 && allowNull)
        {
            result = RedisResult.Null;
            return true;
        }

        if (length < 0)
        {
            throw new RedisProtocolException($"Invalid negative length {length} for a {type} reply.");
        }

        if (length > MaxBulkLength)
        {
            throw new RedisProtocolException($"A {type} of {length} bytes is longer than the {MaxBulkLength} byte limit.");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)length);
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RedisProtocolException($"A {type} of {length} bytes is not followed by CRLF.");
        }

        result = RedisResult.Create(type, bytes);
        return true;
    }

    private static bool TryReadAggregate(
        ref SequenceReader<byte> reader, RedisResultType type, int depth, [NotNullWhen(true)] out RedisResult? result)
    {
        result = null;
        if (!TryReadLine(ref reader, out var line))
        {
            return false;
        }

        var count = ParseInteger(line, "count");
        if (count == -1 && type == RedisResultType.Array)
        {
            result = RedisResult.Null;
            return true;
        }

        if (count < 0)
        {
            throw new RedisProtocolException($"Invalid negative count {count} for a {type} reply.");
        }

        var elements = type == RedisResultType.Map ? count * 2 : count;
        if (count > MaxAggregateLength)
        {
            throw new RedisProtocolException($"A {type} of {count} elements is longer than the limit.");
        }

        // Each element takes at least 3 bytes ("_\r\n"); when fewer are buffered the reply cannot be complete yet,
        // which also keeps a hostile count from allocating a huge array up front.
        if (reader.Remaining < elements * 3)
        {
            return false;
        }

        var items = elements == 0 ? [] : new RedisResult[elements];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryReadValue(ref reader, depth + 1, out var item))
            {
                return false;
            }

            items[i] = item;
        }

        result = RedisResult.Aggregate(type, items);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        if (!reader.TryReadTo(out line, "\r\n"u8, advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxLineLength)
            {
                throw new RedisProtocolException($"No CRLF within {MaxLineLength} bytes: the line is overlong.");
            }

            return false;
        }

        if (line.Length > MaxLineLength)
        {
            throw new RedisProtocolException($"A line of {line.Length} bytes is longer than the {MaxLineLength} byte limit.");
        }

        if (line.PositionOf((byte)'\n') is not null || line.PositionOf((byte)'\r') is not null)
        {
            throw new RedisProtocolException("A line contains a bare CR or LF.");
        }

        return true;
    }

    [SkipLocalsInit]
    private static long ParseInteger(ReadOnlySequence<byte> line, string what)
    {
        if (line.Length is 0 or > 20)
        {
            throw new RedisProtocolException($"Invalid {what}: expected 1 to 20 characters, got {line.Length}.");
        }

        Span<byte> scratch = stackalloc byte[20];
        line.CopyTo(scratch);
        var text = scratch[..(int)line.Length];
        var negative = text[0] == (byte)'-';
        var start = negative || text[0] == (byte)'+' ? 1 : 0;
        if (start == text.Length)
        {
            throw new RedisProtocolException($"Invalid {what}: a sign without digits.");
        }

        ulong value = 0;
        for (var i = start; i < text.Length; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                throw new RedisProtocolException($"Invalid {what}: 0x{text[i]:X2} is not a digit.");
            }

            if (value > (ulong.MaxValue - digit) / 10)
            {
                throw new RedisProtocolException($"Invalid {what}: the number overflows 64 bits.");
            }

            value = (value * 10) + digit;
        }

        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        if (value > limit)
        {
            throw new RedisProtocolException($"Invalid {what}: the number overflows 64 bits.");
        }

        return negative ? (long)(0 - value) : (long)value;
    }

    [SkipLocalsInit]
    private static double ParseDouble(ReadOnlySequence<byte> line)
    {
        if (line.Length is 0 or > 64)
        {
            throw new RedisProtocolException("Invalid RESP3 double: expected 1 to 64 characters.");
        }

        Span<byte> scratch = stackalloc byte[64];
        line.CopyTo(scratch);
        var text = scratch[..(int)line.Length];
        if (text.SequenceEqual("inf"u8) || text.SequenceEqual("+inf"u8))
        {
            return double.PositiveInfinity;
        }

        if (text.SequenceEqual("-inf"u8))
        {
            return double.NegativeInfinity;
        }

        if (text.SequenceEqual("nan"u8) || text.SequenceEqual("-nan"u8))
        {
            return double.NaN;
        }

        foreach (var b in text)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
            {
                throw new RedisProtocolException($"Invalid RESP3 double: unexpected byte 0x{b:X2}.");
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RedisProtocolException("Invalid RESP3 double.");
    }

    private static void ValidateBigNumber(ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(line);
        reader.IsNext((byte)'-', advancePast: true);
        if (reader.End)
        {
            throw new RedisProtocolException("Invalid RESP3 big number: no digits.");
        }

        while (reader.TryRead(out var b))
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw new RedisProtocolException($"Invalid RESP3 big number: 0x{b:X2} is not a digit.");
            }
        }
    }
}
