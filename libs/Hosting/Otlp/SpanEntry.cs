namespace MlAspire.Hosting.Otlp;

/// <summary>One received span. Ids are lowercase hex; <see cref="ParentSpanId"/> is null for a root span.</summary>
public sealed record SpanEntry(
    TelemetryResource Resource,
    string Scope,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    DateTimeOffset Start,
    TimeSpan Duration,
    string Status,
    string? StatusMessage,
    IReadOnlyList<KeyValuePair<string, string>> Attributes);
