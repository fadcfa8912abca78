namespace MlAspire.Redis;

/// <summary>What a command does when it is issued while the connection is down.</summary>
public enum BacklogPolicy
{
    /// <summary>Wait for the reconnect, up to the command timeout, then fail with <see cref="RedisTimeoutException"/>.</summary>
    Wait = 0,

    /// <summary>Fail at once with <see cref="RedisConnectionException"/>.</summary>
    FailFast,
}
