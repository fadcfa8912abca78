using System.ComponentModel.DataAnnotations;

namespace MlAspire.Grpc.Health;

/// <summary>Settings of the grpc.health.v1 service.</summary>
public sealed class GrpcHealthOptions
{
    /// <summary>How often Watch re-evaluates the health checks (it sends only changes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}
