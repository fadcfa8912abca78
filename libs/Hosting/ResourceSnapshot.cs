namespace MlAspire.Hosting;

/// <summary>The state of one replica at one moment; every change publishes a new snapshot.</summary>
public sealed record ResourceSnapshot
{
    public required string ResourceName { get; init; }

    /// <summary>Manifest type of the resource, e.g. <c>project.v0</c>.</summary>
    public required string ResourceType { get; init; }

    /// <summary><c>&lt;resource&gt;-&lt;index&gt;</c>; also the replica's <c>service.instance.id</c>.</summary>
    public required string ReplicaId { get; init; }

    public required int ReplicaIndex { get; init; }

    public ResourceState State { get; init; }

    public HealthStatus Health { get; init; }

    public int? ProcessId { get; init; }

    public int? ExitCode { get; init; }

    public int RestartCount { get; init; }

    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>Why the replica is in this state (a failure reason, what it waits for).</summary>
    public string? Message { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Healthy: running and its health check passes (or it has none).</summary>
    public bool IsHealthy => State == ResourceState.Running && Health == HealthStatus.Healthy;
}
