using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>One compute resource of the Aspire app model as the container publishers see it: image, ports,
/// environment (with parameter holes), replicas, GPUs, probes and volumes.</summary>
internal sealed class DeployedResource
{
    public required IResource Resource { get; init; }

    public string Name => Resource.Name;

    /// <summary>The project file, for projects (built into an image of ours); null for containers.</summary>
    public string? ProjectPath { get; init; }

    public bool IsProject => ProjectPath is not null;

    public bool IsRedis { get; init; }

    /// <summary>Image without tag for projects (<c>mlaspire/inference</c>); full reference for containers.</summary>
    public required string Image { get; init; }

    public required string ImageReference { get; init; }

    public required IReadOnlyList<DeployedPort> Ports { get; init; }

    public required IReadOnlyList<KeyValuePair<string, DeploymentValue>> Environment { get; init; }

    /// <summary>Entrypoint override (containers), then arguments.</summary>
    public string? Entrypoint { get; init; }

    public required IReadOnlyList<DeploymentValue> Args { get; init; }

    public required IReadOnlyList<DeployedVolume> Volumes { get; init; }

    public int Replicas { get; init; } = 1;

    public int GpuCount { get; init; }

    /// <summary>Resources this one waits for (<c>WaitFor</c>), by name.</summary>
    public required IReadOnlyList<string> WaitFor { get; init; }

    public DeployedProbe? StartupProbe { get; init; }

    public DeployedProbe? ReadinessProbe { get; init; }

    public DeployedProbe? LivenessProbe { get; init; }

    public DockerfileOptionsAnnotation? DockerfileOptions { get; init; }

    /// <summary>External metrics the autoscaler uses besides CPU.</summary>
    public IReadOnlyList<AutoscalingMetricAnnotation> AutoscalingMetrics { get; init; } = [];

    /// <summary>A HorizontalPodAutoscaler is written for stateless resources with several replicas or an autoscaling metric.</summary>
    public bool IsAutoscaled => Volumes.Count == 0 && (Replicas > 1 || AutoscalingMetrics.Count > 0);

    /// <summary>Parameters whose values the environment or arguments need, in first-use order.</summary>
    public IEnumerable<ParameterResource> Parameters =>
        Environment.SelectMany(e => e.Value.Parameters).Concat(Args.SelectMany(a => a.Parameters)).Distinct();

    /// <summary>Upper-case name for variables derived from the resource (<c>GATEWAY_HTTP_PORT</c>).</summary>
    public static string VariableName(params string[] parts) =>
        string.Join('_', parts.Select(p => new string([.. p.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_')])));
}
