using System.Diagnostics;

namespace MlAspire.Gateway.Api;

/// <summary>The gateway's ActivitySource: the producer span of each enqueue, whose context travels with the job.</summary>
internal static class GatewayTelemetry
{
    public const string Name = "MlAspire.Gateway";

    public static readonly ActivitySource Source = new(Name);
}
