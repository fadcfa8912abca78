namespace MlAspire.Preprocessing.Worker;

/// <summary>The worker's log messages (EventIds 6100-6199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Worker consumer {Consumer} reading {Stream} in group {Group}")]
    public static partial void ConsumerStarted(ILogger logger, string consumer, string stream, string group);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Worker consumer {Consumer} stopped")]
    public static partial void ConsumerStopped(ILogger logger, string consumer);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "The consume loop failed; retrying in {Delay}")]
    public static partial void LoopFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Reclaimed {Count} jobs left pending by other consumers")]
    public static partial void Reclaimed(ILogger logger, int count);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Job {JobId} failed for good: {Reason}")]
    public static partial void JobDeadLettered(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "Inference for {Count} jobs of model {Model} failed transiently ({Status}); retry in {Delay}")]
    public static partial void InferenceRetry(ILogger logger, int count, string model, string status, TimeSpan delay);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning, Message = "Metadata of model {Model} unavailable ({Status}); {Count} jobs retry in {Delay}")]
    public static partial void MetadataUnavailable(ILogger logger, string model, string status, int count, TimeSpan delay);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Debug, Message = "Job {JobId} is already {Status}; acknowledged without work")]
    public static partial void JobAlreadyDone(ILogger logger, string jobId, string status);

    [LoggerMessage(EventId = 6108, Level = LogLevel.Information, Message = "Shutting down with {Count} jobs of model {Model} unfinished; left pending for another worker")]
    public static partial void Released(ILogger logger, int count, string model);

    [LoggerMessage(EventId = 6109, Level = LogLevel.Warning, Message = "Refreshing the queue lag failed")]
    public static partial void LagRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Information, Message = "Removed {Count} finished entries left in the jobs stream")]
    public static partial void TrimmedFinished(ILogger logger, long count);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Warning, Message = "Removing finished entries from the jobs stream failed")]
    public static partial void TrimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6112, Level = LogLevel.Warning, Message = "Worker {Consumer} cannot refresh its heartbeat; retrying every heartbeat interval")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string consumer);

    [LoggerMessage(EventId = 6113, Level = LogLevel.Information, Message = "Worker {Consumer} refreshes its heartbeat again")]
    public static partial void HeartbeatResumed(ILogger logger, string consumer);

    [LoggerMessage(EventId = 6114, Level = LogLevel.Warning, Message = "The jobs stream or the workers' group was missing (deleted, or Redis restarted without its data); recreated it from the stream's start. Jobs whose entries went with it: {Requeued} queued again, {Failed} failed (image gone too)")]
    public static partial void GroupRecreated(ILogger logger, int requeued, int failed);
}
