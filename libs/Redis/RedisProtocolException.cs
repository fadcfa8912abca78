namespace MlAspire.Redis;

/// <summary>The server sent bytes that are not valid RESP. The connection is closed and re-established.</summary>
public sealed class RedisProtocolException : RedisException
{
    public RedisProtocolException()
    {
    }

    public RedisProtocolException(string message)
        : base(message)
    {
    }

    public RedisProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
