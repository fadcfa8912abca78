namespace MlAspire.AppHost.Tests;

/// <summary>One span as a service exported it: ids in lowercase hex, the exporting service's name and instance.</summary>
public sealed record SeenSpan(string TraceId, string SpanId, string ParentSpanId, string Service, string Instance, string Name);
