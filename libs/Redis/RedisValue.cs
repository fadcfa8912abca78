using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MlAspire.Redis;

/// <summary>
/// A binary-safe Redis value: text, raw bytes, an integer, a floating point number, or null.
/// Replies always come back as bytes; conversions decode on demand.
/// </summary>
public readonly struct RedisValue : IEquatable<RedisValue>
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _bits;
    private readonly RedisValueKind _kind;

    private RedisValue(RedisValueKind kind, string? text, ReadOnlyMemory<byte> bytes, long bits)
    {
        _kind = kind;
        _text = text;
        _bytes = bytes;
        _bits = bits;
    }

    /// <summary>The null value (a missing key, an empty reply).</summary>
    public static RedisValue Null => default;

    /// <summary>True when the value is null.</summary>
    public bool IsNull => _kind == RedisValueKind.Null;

    internal RedisValueKind Kind => _kind;

    internal string? Text => _text;

    internal ReadOnlyMemory<byte> RawBytes => _bytes;

    internal long Int64Bits => _bits;

    /// <summary>Creates a value that holds text (sent as UTF-8).</summary>
    public static RedisValue FromString(string? value) =>
        value is null ? Null : new RedisValue(RedisValueKind.String, value, default, 0);

    /// <summary>Creates a value that holds raw bytes. The memory is not copied.</summary>
    public static RedisValue FromBytes(ReadOnlyMemory<byte> value) =>
        new(RedisValueKind.Bytes, null, value, 0);

    /// <summary>Creates a value that holds an integer.</summary>
    public static RedisValue FromInt64(long value) => new(RedisValueKind.Int64, null, default, value);

    /// <summary>Creates a value that holds a floating point number.</summary>
    public static RedisValue FromDouble(double value) =>
        new(RedisValueKind.Double, null, default, BitConverter.DoubleToInt64Bits(value));

    public static implicit operator RedisValue(string? value) => FromString(value);

    public static implicit operator RedisValue(byte[]? value) => value is null ? Null : FromBytes(value);

    public static implicit operator RedisValue(ReadOnlyMemory<byte> value) => FromBytes(value);

    public static implicit operator RedisValue(long value) => FromInt64(value);

    public static implicit operator RedisValue(int value) => FromInt64(value);

    public static implicit operator RedisValue(double value) => FromDouble(value);

    public static explicit operator string?(RedisValue value) => value.IsNull ? null : value.ToString();

    public static explicit operator long(RedisValue value) => value.ToInt64();

    public static explicit operator long?(RedisValue value) => value.IsNull ? null : value.ToInt64();

    public static explicit operator double(RedisValue value) => value.ToDouble();

    public static explicit operator byte[]?(RedisValue value) => value.IsNull ? null : value.ToArray();

    public static bool operator ==(RedisValue left, RedisValue right) => left.Equals(right);

    public static bool operator !=(RedisValue left, RedisValue right) => !left.Equals(right);

    /// <summary>The value as bytes (text is encoded as UTF-8, numbers formatted as Redis formats them).</summary>
    public ReadOnlyMemory<byte> AsMemory() => _kind switch
    {
        RedisValueKind.Null => ReadOnlyMemory<byte>.Empty,
        RedisValueKind.Bytes => _bytes,
        _ => Encoding.UTF8.GetBytes(ToString()),
    };

    /// <summary>A copy of the value's bytes.</summary>
    public byte[] ToArray() => AsMemory().ToArray();

    /// <summary>The value as text: UTF-8 decoded bytes, formatted numbers, or the empty string for null.</summary>
    public override string ToString() => _kind switch
    {
        RedisValueKind.Null => string.Empty,
        RedisValueKind.String => _text!,
        RedisValueKind.Bytes => Encoding.UTF8.GetString(_bytes.Span),
        RedisValueKind.Int64 => _bits.ToString(CultureInfo.InvariantCulture),
        _ => FormatDouble(BitConverter.Int64BitsToDouble(_bits)),
    };

    /// <summary>Parses the value as a 64-bit integer; throws <see cref="FormatException"/> if it is not one.</summary>
    public long ToInt64()
    {
        if (TryParseInt64(out var result))
        {
            return result;
        }

        throw new FormatException(IsNull ? "The Redis value is null, not an integer." : "The Redis value is not an integer.");
    }

    /// <summary>Tries to parse the value as a 64-bit integer.</summary>
    public bool TryParseInt64(out long value)
    {
        switch (_kind)
        {
            case RedisValueKind.Int64:
                value = _bits;
                return true;
            case RedisValueKind.Bytes:
                return Utf8Parser.TryParse(_bytes.Span, out value, out var consumed) && consumed == _bytes.Length;
            case RedisValueKind.String:
                return long.TryParse(_text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Parses the value as a floating point number (accepts Redis's <c>inf</c>/<c>-inf</c>).</summary>
    public double ToDouble()
    {
        if (_kind == RedisValueKind.Double)
        {
            return BitConverter.Int64BitsToDouble(_bits);
        }

        if (_kind == RedisValueKind.Int64)
        {
            return _bits;
        }

        var text = ToString();
        return text switch
        {
            "inf" or "+inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new FormatException("The Redis value is not a number."),
        };
    }

    public bool Equals(RedisValue other)
    {
        if (IsNull || other.IsNull)
        {
            return IsNull && other.IsNull;
        }

        if (_kind == other._kind && _kind is RedisValueKind.String)
        {
            return string.Equals(_text, other._text, StringComparison.Ordinal);
        }

        return AsMemory().Span.SequenceEqual(other.AsMemory().Span);
    }

    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);

    public override int GetHashCode()
    {
        if (IsNull)
        {
            return 0;
        }

        var hash = new HashCode();
        hash.AddBytes(AsMemory().Span);
        return hash.ToHashCode();
    }

    internal static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+inf",
        double.NegativeInfinity => "-inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
