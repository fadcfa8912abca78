namespace MlAspire.Hosting;

public static class ContainerResourceBuilderExtensions
{
    /// <summary>Adds a container image. Run mode uses <c>docker run</c>; ports map to loopback only.</summary>
    public static IResourceBuilder<ContainerResource> AddContainer(this IDistributedApplicationBuilder builder, string name, string image, string tag = "latest")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        return builder.AddResource(new ContainerResource(name, image, tag));
    }

    public static IResourceBuilder<T> WithVolume<T>(this IResourceBuilder<T> builder, string name, string target, bool isReadOnly = false)
        where T : ContainerResource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        builder.Resource.AddVolume(new VolumeAnnotation(name, target, isReadOnly));
        return builder;
    }

    public static IResourceBuilder<T> WithEntrypoint<T>(this IResourceBuilder<T> builder, string entrypoint)
        where T : ContainerResource
    {
        builder.Resource.Entrypoint = entrypoint;
        return builder;
    }
}
