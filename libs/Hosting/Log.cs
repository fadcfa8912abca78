using Microsoft.Extensions.Logging;

namespace MlAspire.Hosting;

/// <summary>Hosting log messages; event ids 1000-1099.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Building {Project}")]
    public static partial void Building(ILogger logger, string project);

    [LoggerMessage(1001, LogLevel.Information, "{Resource} waits for {Dependencies}")]
    public static partial void Waiting(ILogger logger, string resource, string dependencies);

    [LoggerMessage(1002, LogLevel.Information, "Starting {ReplicaId}: {Command}")]
    public static partial void Starting(ILogger logger, string replicaId, string command);

    [LoggerMessage(1003, LogLevel.Warning, "{ReplicaId} exited with code {ExitCode}; restarting in {DelaySeconds}s")]
    public static partial void ReplicaExited(ILogger logger, string replicaId, int exitCode, double delaySeconds);

    [LoggerMessage(1004, LogLevel.Error, "{ReplicaId} could not start '{Command}': {Reason}")]
    public static partial void ReplicaFailedToStart(ILogger logger, string replicaId, string command, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "{ReplicaId}: {Count} process(es) still running {GraceSeconds}s after SIGTERM; sent SIGKILL")]
    public static partial void ReplicaKilled(ILogger logger, string replicaId, int count, double graceSeconds);

    [LoggerMessage(1006, LogLevel.Information, "Stopping {Resource}")]
    public static partial void Stopping(ILogger logger, string resource);

    [LoggerMessage(1007, LogLevel.Information, "All resources stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(1008, LogLevel.Information, "Published manifest to {Path}")]
    public static partial void PublishedManifest(ILogger logger, string path);

    [LoggerMessage(1009, LogLevel.Information, "{Signal} received: stopping (press Ctrl+C again to kill everything now)")]
    public static partial void SignalReceived(ILogger logger, string signal);

    [LoggerMessage(1010, LogLevel.Information, "{Resource} is healthy")]
    public static partial void Healthy(ILogger logger, string resource);

    [LoggerMessage(1011, LogLevel.Information, "Dashboard at {Url} (OTLP/HTTP receiver at {OtlpUrl})")]
    public static partial void DashboardStarted(ILogger logger, string url, string otlpUrl);
}
