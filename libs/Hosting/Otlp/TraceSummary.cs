namespace MlAspire.Hosting.Otlp;

/// <summary>A trace as listed: its root (or earliest) span's name, the services it crossed, its extent.</summary>
public sealed record TraceSummary(
    string TraceId,
    string Name,
    IReadOnlyList<string> Services,
    int SpanCount,
    DateTimeOffset Start,
    TimeSpan Duration,
    bool HasError);
