namespace MlAspire.Hosting;

public static class DockerfileResourceBuilderExtensions
{
    /// <summary>Adds packages, files and environment to the project's generated Dockerfile (publish only).</summary>
    public static IResourceBuilder<ProjectResource> WithDockerfileOptions(this IResourceBuilder<ProjectResource> builder, Action<DockerfileOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Resource.DockerfileOptions);
        return builder;
    }
}
