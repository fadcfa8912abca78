namespace MlAspire.Hosting.Otlp;

/// <summary>Bounds of the in-memory telemetry store; the oldest entries are evicted first.</summary>
public sealed record TelemetryLimits
{
    public int MaxLogRecords { get; init; } = 10_000;

    public int MaxTraces { get; init; } = 2_000;

    public int MaxSpans { get; init; } = 50_000;

    /// <summary>Points kept per instrument, resource and attribute set.</summary>
    public int MaxPointsPerSeries { get; init; } = 300;

    /// <summary>Distinct series (instrument, resource, attribute set) kept; new ones beyond it are dropped.</summary>
    public int MaxSeries { get; init; } = 5_000;
}
