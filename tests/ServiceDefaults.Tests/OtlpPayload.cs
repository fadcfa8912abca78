using Google.Protobuf;

namespace MlAspire.ServiceDefaults.Tests;

/// <summary>
/// Reads just enough of the OTLP protobuf export requests (field numbers from opentelemetry-proto) to check what
/// arrived, walking the wire format with Google.Protobuf's reader.
/// </summary>
internal static class OtlpPayload
{
    public sealed record Span(string Name, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource);

    // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.resource = 1, scope_spans = 2;
    // ScopeSpans.spans = 2; Span.name = 5, attributes = 9.
    public static IEnumerable<Span> ReadSpans(byte[] body)
    {
        foreach (var resourceSpans in Fields(body, 1))
        {
            var resource = Fields(resourceSpans, 1).Select(ReadAttributes).FirstOrDefault() ?? [];
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    var name = Fields(span, 5).Select(b => System.Text.Encoding.UTF8.GetString(b)).Single();
                    yield return new Span(name, ReadKeyValues(Fields(span, 9)), resource);
                }
            }
        }
    }

    // ExportMetricsServiceRequest.resource_metrics = 1; ResourceMetrics.scope_metrics = 2; ScopeMetrics.metrics = 2;
    // Metric.name = 1.
    public static IEnumerable<string> ReadMetricNames(byte[] body) =>
        from resourceMetrics in Fields(body, 1)
        from scopeMetrics in Fields(resourceMetrics, 2)
        from metric in Fields(scopeMetrics, 2)
        from name in Fields(metric, 1)
        select System.Text.Encoding.UTF8.GetString(name);

    // ExportLogsServiceRequest.resource_logs = 1; ResourceLogs.scope_logs = 2; ScopeLogs.log_records = 2;
    // LogRecord.body = 5 (AnyValue.string_value = 1).
    public static IEnumerable<string> ReadLogBodies(byte[] body) =>
        from resourceLogs in Fields(body, 1)
        from scopeLogs in Fields(resourceLogs, 2)
        from record in Fields(scopeLogs, 2)
        from value in Fields(record, 5)
        from text in Fields(value, 1)
        select System.Text.Encoding.UTF8.GetString(text);

    // Resource.attributes = 1
    private static Dictionary<string, string> ReadAttributes(byte[] resource) => ReadKeyValues(Fields(resource, 1));

    // KeyValue.key = 1, value = 2; AnyValue.string_value = 1 (other kinds are shown as their raw bytes' length).
    private static Dictionary<string, string> ReadKeyValues(IEnumerable<byte[]> keyValues)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in keyValues)
        {
            var key = System.Text.Encoding.UTF8.GetString(Fields(kv, 1).Single());
            var value = Fields(kv, 2).Select(v => Fields(v, 1).Select(s => System.Text.Encoding.UTF8.GetString(s)).FirstOrDefault())
                .FirstOrDefault();
            result[key] = value ?? "";
        }

        return result;
    }

    /// <summary>The payloads of every length-delimited field with the given number.</summary>
    private static List<byte[]> Fields(byte[] message, int fieldNumber)
    {
        var result = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == fieldNumber &&
                WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                result.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return result;
    }
}
