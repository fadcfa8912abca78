using Microsoft.Extensions.Logging;

namespace MlAspire.Publishing;

/// <summary>Publishing log messages; event ids 7000-7099.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Wrote {What} for {Count} resources to {Directory}")]
    public static partial void Wrote(ILogger logger, string what, int count, string directory);

    [LoggerMessage(7001, LogLevel.Warning, "{Resource}: {Variable} is left out of the published environment: {Reason}")]
    public static partial void VariableLeftOut(ILogger logger, string resource, string variable, string reason);

    [LoggerMessage(7002, LogLevel.Information, "[{Resource}] docker {Arguments}")]
    public static partial void DockerCommand(ILogger logger, string resource, string arguments);

    [LoggerMessage(7003, LogLevel.Information, "[{Resource}] {Line}")]
    public static partial void DockerOutput(ILogger logger, string resource, string line);

    [LoggerMessage(7004, LogLevel.Information, "Images are not built (set ContainerImages:Build=true or ContainerImages:PushRegistry to build them)")]
    public static partial void ImagesNotBuilt(ILogger logger);
}
