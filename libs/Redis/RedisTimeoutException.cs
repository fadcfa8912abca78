namespace MlAspire.Redis;

/// <summary>
/// The command's reply did not arrive within its timeout (or no connection came up in time). A reply that arrives later
/// is read and discarded, so the connection stays in step.
/// </summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException()
    {
    }

    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    public RedisTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
