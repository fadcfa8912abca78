using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlAspire.Gateway.Api;

/// <summary>
/// The gateway's ActivitySource (the producer span of each enqueue, whose context travels with the job) and Meter.
/// </summary>
internal static class GatewayTelemetry
{
    public const string Name = "MlAspire.Gateway";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter s_meter = new(Name);

    /// <summary>Images refused because the queue was full (each got 503 with Retry-After).</summary>
    public static readonly Counter<long> Shed = s_meter.CreateCounter<long>("mlaspire.gateway.jobs.shed", "{job}", "Images refused because the queue was full");
}
