using MlAspire.Hosting.Publishing;

namespace MlAspire.Hosting;

/// <summary>Whether the AppHost runs the application or publishes a description of it.</summary>
public sealed class DistributedApplicationExecutionContext
{
    internal DistributedApplicationExecutionContext(string? publisher, string? outputPath, PublishOptions? publishOptions = null)
    {
        Publisher = publisher;
        OutputPath = outputPath;
        PublishOptions = publishOptions;
    }

    /// <summary>The <c>--publisher</c> argument (<c>manifest</c>), <c>publish</c> for the <c>publish</c> verb, or null in run mode.</summary>
    public string? Publisher { get; }

    /// <summary>The <c>--output-path</c> argument.</summary>
    public string? OutputPath { get; }

    /// <summary>The <c>publish</c> verb's options (containers, Kubernetes, compose); null otherwise.</summary>
    public PublishOptions? PublishOptions { get; }

    public bool IsPublishMode => Publisher is not null;

    public bool IsRunMode => !IsPublishMode;
}
