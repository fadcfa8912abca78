using Microsoft.Extensions.Logging;

namespace MlAspire.Grpc.Internal;

/// <summary>Log messages of MlAspire.Grpc (EventIds 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "gRPC handler for {Method} threw an unhandled exception")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception? exception);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Unimplemented gRPC path {Path}")]
    public static partial void Unimplemented(ILogger logger, string path);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "gRPC health check for service '{Service}' failed")]
    public static partial void HealthCheckFailed(ILogger logger, string service, Exception exception);
}
