using System.Globalization;
using System.Text;

namespace MlAspire.Redis;

/// <summary>One decoded RESP2/RESP3 reply. Aggregates (array, map, set, push) hold child results.</summary>
public sealed class RedisResult
{
    private static readonly RedisResult[] s_noItems = [];

    private readonly byte[]? _bytes;
    private readonly long _integer;
    private readonly double _double;
    private readonly RedisResult[] _items;

    private RedisResult(RedisResultType type, byte[]? bytes, long integer, double number, RedisResult[]? items)
    {
        Type = type;
        _bytes = bytes;
        _integer = integer;
        _double = number;
        _items = items ?? s_noItems;
    }

    /// <summary>The shared null reply.</summary>
    public static RedisResult Null { get; } = new(RedisResultType.Null, null, 0, 0, null);

    /// <summary>The shared <c>+OK</c> reply.</summary>
    internal static RedisResult Ok { get; } = new(RedisResultType.SimpleString, "OK"u8.ToArray(), 0, 0, null);

    /// <summary>The wire type of this reply.</summary>
    public RedisResultType Type { get; }

    /// <summary>RESP3 attributes (<c>|</c>) that preceded this reply, as a map, or null.</summary>
    public RedisResult? Attributes { get; private init; }

    /// <summary>True for a null reply of any protocol version.</summary>
    public bool IsNull => Type == RedisResultType.Null;

    /// <summary>True for simple and blob errors.</summary>
    public bool IsError => Type is RedisResultType.Error or RedisResultType.BlobError;

    /// <summary>Children of an array, set, push or map (for a map: key, value, key, value...).</summary>
    public IReadOnlyList<RedisResult> Items => _items;

    internal RedisResult[] ItemsArray => _items;

    internal ReadOnlyMemory<byte> RawBytes => _bytes;

    internal static RedisResult Create(RedisResultType type, byte[] bytes) => new(type, bytes, 0, 0, null);

    internal static RedisResult Integer(long value) => new(RedisResultType.Integer, null, value, 0, null);

    internal static RedisResult Double(double value) => new(RedisResultType.Double, null, 0, value, null);

    internal static RedisResult Boolean(bool value) => new(RedisResultType.Boolean, null, value ? 1 : 0, 0, null);

    internal static RedisResult Aggregate(RedisResultType type, RedisResult[] items) => new(type, null, 0, 0, items);

    internal RedisResult WithAttributes(RedisResult attributes) =>
        new(Type, _bytes, _integer, _double, _items) { Attributes = attributes };

    /// <summary>The payload bytes of a string-like reply (for a verbatim string, without its format prefix).</summary>
    public ReadOnlyMemory<byte> AsMemory() => Type switch
    {
        RedisResultType.VerbatimString => _bytes.AsMemory(4),
        RedisResultType.Integer or RedisResultType.Double or RedisResultType.Boolean => Encoding.UTF8.GetBytes(AsString()!),
        _ => _bytes,
    };

    /// <summary>The reply as a <see cref="RedisValue"/> (null stays null).</summary>
    public RedisValue AsRedisValue() => Type switch
    {
        RedisResultType.Null => RedisValue.Null,
        RedisResultType.Integer => RedisValue.FromInt64(_integer),
        RedisResultType.Double => RedisValue.FromDouble(_double),
        RedisResultType.Boolean => RedisValue.FromInt64(_integer),
        RedisResultType.Array or RedisResultType.Map or RedisResultType.Set or RedisResultType.Push =>
            throw new InvalidCastException($"A {Type} reply is not a single value."),
        _ => RedisValue.FromBytes(AsMemory()),
    };

    /// <summary>The reply as text, or null for a null reply.</summary>
    public string? AsString() => Type switch
    {
        RedisResultType.Null => null,
        RedisResultType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RedisResultType.Double => RedisValue.FormatDouble(_double),
        RedisResultType.Boolean => _integer != 0 ? "true" : "false",
        RedisResultType.Array or RedisResultType.Map or RedisResultType.Set or RedisResultType.Push =>
            throw new InvalidCastException($"A {Type} reply is not a single value."),
        _ => Encoding.UTF8.GetString(AsMemory().Span),
    };

    /// <summary>The reply as an integer (integers, booleans, and numeric strings).</summary>
    public long AsInt64() => Type switch
    {
        RedisResultType.Integer or RedisResultType.Boolean => _integer,
        RedisResultType.Double => checked((long)_double),
        RedisResultType.Null => throw new InvalidCastException("A null reply is not an integer."),
        _ => AsRedisValue().ToInt64(),
    };

    /// <summary>The reply as a floating point number.</summary>
    public double AsDouble() => Type switch
    {
        RedisResultType.Double => _double,
        RedisResultType.Integer => _integer,
        _ => AsRedisValue().ToDouble(),
    };

    /// <summary>The reply as a boolean (RESP3 booleans, integers 0/1, or "OK").</summary>
    public bool AsBoolean() => Type switch
    {
        RedisResultType.Boolean or RedisResultType.Integer => _integer != 0,
        RedisResultType.Null => false,
        RedisResultType.SimpleString => AsString() == "OK",
        _ => throw new InvalidCastException($"A {Type} reply is not a boolean."),
    };

    /// <summary>The format of a verbatim string (for example <c>txt</c> or <c>mkd</c>), otherwise null.</summary>
    public string? VerbatimFormat => Type == RedisResultType.VerbatimString ? Encoding.ASCII.GetString(_bytes!, 0, 3) : null;

    /// <summary>
    /// Key/value pairs of a RESP3 map or of a RESP2 flat array (k1, v1, k2, v2...), so callers read both protocols alike.
    /// </summary>
    public IEnumerable<KeyValuePair<RedisResult, RedisResult>> AsPairs()
    {
        if (Type is not (RedisResultType.Map or RedisResultType.Array) || _items.Length % 2 != 0)
        {
            throw new InvalidCastException($"A {Type} reply of {_items.Length} items is not a list of pairs.");
        }

        for (var i = 0; i < _items.Length; i += 2)
        {
            yield return new(_items[i], _items[i + 1]);
        }
    }

    /// <summary>A readable rendering (type and payload) for logs and tests.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Append(builder);
        return builder.ToString();
    }

    private void Append(StringBuilder builder)
    {
        if (Attributes is not null)
        {
            builder.Append("attr");
            Attributes.Append(builder);
        }

        switch (Type)
        {
            case RedisResultType.Null:
                builder.Append("null");
                break;
            case RedisResultType.Array or RedisResultType.Map or RedisResultType.Set or RedisResultType.Push:
                builder.Append(Type).Append('[');
                for (var i = 0; i < _items.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    _items[i].Append(builder);
                }

                builder.Append(']');
                break;
            case RedisResultType.VerbatimString:
                builder.Append(Type).Append('(').Append(VerbatimFormat).Append(':').Append(AsString()).Append(')');
                break;
            default:
                builder.Append(Type).Append('(').Append(AsString()).Append(')');
                break;
        }
    }
}
