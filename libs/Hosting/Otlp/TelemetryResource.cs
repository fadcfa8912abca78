namespace MlAspire.Hosting.Otlp;

/// <summary>Who sent a piece of telemetry: OTLP resource attributes <c>service.name</c> and
/// <c>service.instance.id</c> (run mode sets the latter to the replica id).</summary>
public sealed record TelemetryResource(string ServiceName, string? InstanceId)
{
    /// <summary>The replica id when known, else the service name.</summary>
    public string DisplayName => InstanceId ?? ServiceName;

    public bool Matches(string? filter) =>
        string.IsNullOrEmpty(filter) || filter == ServiceName || filter == InstanceId;
}
