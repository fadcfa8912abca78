namespace MlAspire.Hosting;

/// <summary>The one exception type of the hosting layer: an invalid topology, a failed build or a resource
/// that could not start. The message is written for the person running the AppHost.</summary>
public sealed class DistributedApplicationException : Exception
{
    public DistributedApplicationException()
    {
    }

    public DistributedApplicationException(string message)
        : base(message)
    {
    }

    public DistributedApplicationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
