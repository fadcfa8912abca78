using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlAspire.Redis;

/// <summary>The client's ActivitySource and Meter, both named <c>MlAspire.Redis</c>.</summary>
public static class RedisTelemetry
{
    public const string Name = "MlAspire.Redis";

    internal static readonly ActivitySource ActivitySource = new(Name);

    internal static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Commands =
        Meter.CreateCounter<long>("redis.client.commands", "{command}", "Commands completed (success or server error)");

    internal static readonly Counter<long> Errors =
        Meter.CreateCounter<long>("redis.client.errors", "{command}", "Commands that failed (server error, timeout, connection)");

    internal static readonly Histogram<double> Duration =
        Meter.CreateHistogram<double>("redis.client.command.duration", "s", "Time from issuing a command to its reply");
}
