namespace MlAspire.Gateway.Api;

/// <summary>The gateway's log messages (EventIds 6000-6099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "No API keys configured (Gateway:ApiKeys): authentication is OFF. Configure keys for anything but local development")]
    public static partial void AuthenticationDisabled(ILogger logger);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Accepted {Count} jobs for model {Model} (first {JobId})")]
    public static partial void JobsAccepted(ILogger logger, int count, string model, string jobId);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Idempotency-Key replay returned {Count} existing jobs (first {JobId})")]
    public static partial void IdempotentReplay(ILogger logger, int count, string jobId);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Redis is unreachable; answering 503")]
    public static partial void RedisUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "The inference service failed ({Status}); answering {HttpStatus}")]
    public static partial void InferenceFailed(ILogger logger, string status, int httpStatus);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Subscribing to job events failed; retrying in {Delay}")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "Rejected a request without a valid API key")]
    public static partial void Unauthorized(ILogger logger);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Debug, Message = "Queue full ({Depth} jobs queued or in progress): refused {Count} images for model {Model}")]
    public static partial void QueueFull(ILogger logger, long depth, int count, string model);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Debug, Message = "Listing the inference service's models failed ({Status}); keeping the names listed last")]
    public static partial void ModelRefreshFailed(ILogger logger, Grpc.Core.StatusCode status);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Debug, Message = "The inference service cannot be reached ({Status}); model {Model} known: {Known}, from {Source}")]
    public static partial void ModelKnownFromCache(ILogger logger, string model, bool known, string source, Grpc.Core.StatusCode status);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "Model config {Path} is unreadable; skipped")]
    public static partial void ModelConfigUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "Event stream of job {JobId} cannot read the job store; keeping the stream open and retrying")]
    public static partial void EventStreamWaitingForStore(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Information, Message = "Event stream of job {JobId} reads the job store again")]
    public static partial void EventStreamResumed(ILogger logger, string jobId);
}
