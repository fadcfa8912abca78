namespace MlAspire.Hosting.Otlp;

/// <summary>One received log record; <see cref="Sequence"/> increases with arrival.</summary>
public sealed record LogEntry(
    long Sequence,
    TelemetryResource Resource,
    string Scope,
    DateTimeOffset Timestamp,
    int SeverityNumber,
    string Severity,
    string Message,
    string? TraceId,
    string? SpanId,
    IReadOnlyList<KeyValuePair<string, string>> Attributes);
