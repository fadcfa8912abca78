namespace MlAspire.Hosting.Otlp;

/// <summary>The recent points of one instrument from one resource with one attribute set.</summary>
public sealed record MetricSeries(
    TelemetryResource Resource,
    string Name,
    string Description,
    string Unit,
    string Kind,
    string Attributes,
    IReadOnlyList<MetricPoint> Points);
