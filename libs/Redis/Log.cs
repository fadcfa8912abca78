using Microsoft.Extensions.Logging;

namespace MlAspire.Redis;

/// <summary>Log messages of the Redis client (event ids 4000-4099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Connected to Redis {Endpoint} (RESP{Protocol}, {Role})")]
    public static partial void Connected(ILogger logger, RedisEndpoint endpoint, int protocol, string role);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Connection to Redis {Endpoint} failed")]
    public static partial void ConnectFailed(ILogger logger, RedisEndpoint endpoint, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Connection to Redis {Endpoint} ({Role}) was lost; reconnecting")]
    public static partial void ConnectionLost(ILogger logger, RedisEndpoint endpoint, string role, Exception? exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Next Redis connect attempt in {DelayMs} ms (attempt {Attempt})")]
    public static partial void ReconnectDelay(ILogger logger, long delayMs, int attempt);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Redis sent a malformed reply on {Endpoint}")]
    public static partial void ProtocolError(ILogger logger, RedisEndpoint endpoint, Exception exception);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Resubscribed {Count} Redis channels and patterns after reconnect")]
    public static partial void Resubscribed(ILogger logger, int count);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "A Redis message handler for {Channel} threw")]
    public static partial void HandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Resubscribing Redis channels failed")]
    public static partial void ResubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Server {Endpoint} refused HELLO 3; using RESP2")]
    public static partial void FellBackToResp2(ILogger logger, RedisEndpoint endpoint);
}
