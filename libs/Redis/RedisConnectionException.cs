namespace MlAspire.Redis;

/// <summary>
/// The connection could not be made, or it dropped while the command was in flight or waiting. The command may or
/// may not have run on the server; its reply is lost, never handed to another caller.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
