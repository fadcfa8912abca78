namespace MlAspire.Grpc.Internal;

/// <summary>Per-host record of mapped services, so the UNIMPLEMENTED fallback is mapped once and can tell an unknown
/// service from an unknown method.</summary>
internal sealed class GrpcServerRegistry
{
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool FallbackMapped { get; set; }

    public void AddService(string serviceName)
    {
        lock (_lock)
        {
            _services.Add(serviceName);
        }
    }

    public string[] GetServices()
    {
        lock (_lock)
        {
            return [.. _services.Order(StringComparer.Ordinal)];
        }
    }

    public bool HasService(string serviceName)
    {
        lock (_lock)
        {
            return _services.Contains(serviceName);
        }
    }
}
