using Microsoft.Extensions.Configuration;

namespace MlAspire.Hosting;

/// <summary>Describes the distributed application (Aspire's builder of the same name).</summary>
public interface IDistributedApplicationBuilder
{
    /// <summary>Command line, environment and <c>appsettings.json</c> of the AppHost; parameters read from here.</summary>
    ConfigurationManager Configuration { get; }

    DistributedApplicationExecutionContext ExecutionContext { get; }

    DistributedApplicationOptions Options { get; }

    /// <summary>The AppHost project's folder; relative project and working-directory paths resolve against it.</summary>
    string AppHostDirectory { get; }

    IReadOnlyList<Resource> Resources { get; }

    /// <summary>Adds a resource; a second resource with the same name (case-insensitive) is an error.</summary>
    IResourceBuilder<T> AddResource<T>(T resource)
        where T : Resource;

    /// <summary>Wraps an existing resource in a builder without adding it.</summary>
    IResourceBuilder<T> CreateResourceBuilder<T>(T resource)
        where T : Resource;

    /// <summary>Validates the topology and returns the application; throws <see cref="DistributedApplicationException"/>
    /// listing every problem found.</summary>
    DistributedApplication Build();
}
