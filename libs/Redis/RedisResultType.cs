namespace MlAspire.Redis;

/// <summary>The RESP2/RESP3 type of a reply (https://redis.io/docs/latest/develop/reference/protocol-spec/).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Members carry the RESP specification's type names.")]
public enum RedisResultType
{
    /// <summary><c>+</c> simple string.</summary>
    SimpleString,

    /// <summary><c>-</c> simple error.</summary>
    Error,

    /// <summary><c>:</c> integer.</summary>
    Integer,

    /// <summary><c>$</c> bulk string.</summary>
    BulkString,

    /// <summary><c>*</c> array.</summary>
    Array,

    /// <summary><c>_</c> null, <c>$-1</c> null bulk string or <c>*-1</c> null array.</summary>
    Null,

    /// <summary><c>,</c> double (RESP3).</summary>
    Double,

    /// <summary><c>#</c> boolean (RESP3).</summary>
    Boolean,

    /// <summary><c>(</c> big number (RESP3).</summary>
    BigNumber,

    /// <summary><c>=</c> verbatim string (RESP3).</summary>
    VerbatimString,

    /// <summary><c>%</c> map (RESP3); items hold keys and values alternately.</summary>
    Map,

    /// <summary><c>~</c> set (RESP3).</summary>
    Set,

    /// <summary><c>&gt;</c> push (RESP3 out-of-band data such as pub/sub messages).</summary>
    Push,

    /// <summary><c>!</c> blob error (RESP3).</summary>
    BlobError,
}
