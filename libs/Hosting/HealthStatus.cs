namespace MlAspire.Hosting;

/// <summary>Result of the last health check of a replica.</summary>
public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}
