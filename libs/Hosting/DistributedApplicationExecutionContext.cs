namespace MlAspire.Hosting;

/// <summary>Whether the AppHost runs the application or publishes a description of it.</summary>
public sealed class DistributedApplicationExecutionContext
{
    internal DistributedApplicationExecutionContext(string? publisher, string? outputPath)
    {
        Publisher = publisher;
        OutputPath = outputPath;
    }

    /// <summary>The <c>--publisher</c> argument (<c>manifest</c>), or null in run mode.</summary>
    public string? Publisher { get; }

    /// <summary>The <c>--output-path</c> argument.</summary>
    public string? OutputPath { get; }

    public bool IsPublishMode => Publisher is not null;

    public bool IsRunMode => !IsPublishMode;
}
