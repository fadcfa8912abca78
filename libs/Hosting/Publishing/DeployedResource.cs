namespace MlAspire.Hosting.Publishing;

/// <summary>One runnable resource as the container publishers see it: image, ports, environment (with parameter
/// holes), replicas, GPUs and probes, all derived from the app model.</summary>
internal sealed class DeployedResource
{
    public required Resource Resource { get; init; }

    public string Name => Resource.Name;

    public ProjectResource? Project => Resource as ProjectResource;

    /// <summary>Image without tag for projects (<c>mlaspire/inference</c>); full reference for containers.</summary>
    public required string Image { get; init; }

    public required string ImageReference { get; init; }

    public required IReadOnlyList<DeployedPort> Ports { get; init; }

    public required IReadOnlyList<KeyValuePair<string, DeploymentValue>> Environment { get; init; }

    /// <summary>Entrypoint override (containers), then arguments.</summary>
    public string? Entrypoint { get; init; }

    public required IReadOnlyList<DeploymentValue> Args { get; init; }

    public required IReadOnlyList<VolumeAnnotation> Volumes { get; init; }

    public int Replicas => Resource.Replicas;

    public int GpuCount => Resource.GpuCount;

    /// <summary>Readiness: the resource's health check (<c>WithHttpHealthCheck</c>).</summary>
    public string? ReadinessPath => Resource.HealthCheck?.Path;

    /// <summary>Liveness: ServiceDefaults' <c>/alive</c> for projects with a health check (the convention every
    /// MlAspire service follows: <c>/health</c> ready, <c>/alive</c> live), else the readiness path.</summary>
    public string? LivenessPath => Resource.HealthCheck is null ? null : Project is not null ? DeploymentModel.LivenessPath : ReadinessPath;

    public DeployedPort? HealthPort => Resource.HealthCheck is { } check ? Ports.First(p => p.Name == check.EndpointName) : null;

    /// <summary>Parameters whose values the environment or arguments need, in first-use order.</summary>
    public IEnumerable<ParameterResource> Parameters =>
        Environment.SelectMany(e => e.Value.Parameters).Concat(Args.SelectMany(a => a.Parameters)).Distinct();

    public bool IsRedis => Resource is RedisResource;

    /// <summary>Upper-case name for variables derived from the resource (<c>GATEWAY_HTTP_PORT</c>).</summary>
    public static string VariableName(params string[] parts) =>
        string.Join('_', parts.Select(p => new string([.. p.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_')])));
}
