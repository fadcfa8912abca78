namespace MlAspire.Hosting.Otlp;

/// <summary>One data point: the value for gauges and sums, the average (sum / count) for histograms, with
/// <see cref="Count"/> and <see cref="Sum"/> kept for histograms and summaries.</summary>
public sealed record MetricPoint(DateTimeOffset Timestamp, double Value, ulong? Count, double? Sum);
