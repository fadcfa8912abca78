namespace MlAspire.Redis;

/// <summary>Which RESP version the client asks for.</summary>
public enum RedisProtocol
{
    /// <summary>Ask for RESP3 with <c>HELLO 3</c>; fall back to RESP2 when the server refuses.</summary>
    Resp3 = 0,

    /// <summary>Stay on RESP2 (<c>AUTH</c> + <c>SELECT</c>, no <c>HELLO</c>).</summary>
    Resp2,
}
