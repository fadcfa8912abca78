using System.ComponentModel.DataAnnotations;

namespace MlAspire.Redis;

/// <summary>
/// Settings of <see cref="RedisHostingExtensions.AddRedisClient"/>. Bound from the <c>MlAspire:Redis</c> configuration
/// section, then <c>ConnectionStrings:&lt;name&gt;</c>, then the configure delegate.
/// </summary>
public sealed class RedisClientSettings
{
    /// <summary>The connection string (see <see cref="RedisOptions.Parse"/>).</summary>
    [Required]
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }

    /// <summary>Timeout of the health check's PING.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Applied to the parsed options before the client is created (for example a certificate callback).</summary>
    public Action<RedisOptions>? ConfigureOptions { get; set; }
}
