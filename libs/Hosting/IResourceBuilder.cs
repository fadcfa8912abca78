namespace MlAspire.Hosting;

/// <summary>Fluent handle on one resource of the application being described.</summary>
public interface IResourceBuilder<out T>
    where T : Resource
{
    T Resource { get; }

    IDistributedApplicationBuilder ApplicationBuilder { get; }
}
