namespace MlAspire.Redis;

/// <summary>Base type of every error this client raises.</summary>
public class RedisException : Exception
{
    public RedisException()
    {
    }

    public RedisException(string message)
        : base(message)
    {
    }

    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
