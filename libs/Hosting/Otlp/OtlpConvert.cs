using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using MlAspire.Hosting.Otlp.Proto.CommonV1;

namespace MlAspire.Hosting.Otlp;

/// <summary>Turns OTLP wire values into the strings the dashboard shows.</summary>
internal static class OtlpConvert
{
    private const int MaxValueLength = 4096;

    public static TelemetryResource Resource(Proto.ResourceV1.Resource? resource)
    {
        string? name = null;
        string? instance = null;
        if (resource is not null)
        {
            foreach (var attribute in resource.Attributes)
            {
                if (attribute.Key == "service.name")
                {
                    name = Value(attribute.Value);
                }
                else if (attribute.Key == "service.instance.id")
                {
                    instance = Value(attribute.Value);
                }
            }
        }

        return new TelemetryResource(string.IsNullOrEmpty(name) ? "unknown_service" : name, string.IsNullOrEmpty(instance) ? null : instance);
    }

    public static string Scope(InstrumentationScope? scope) => scope?.Name ?? string.Empty;

    public static DateTimeOffset Time(ulong unixNanos) =>
        unixNanos == 0 || unixNanos / 100 > (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks
            ? DateTimeOffset.UnixEpoch
            : DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));

    public static string? Id(ByteString id) => id.IsEmpty ? null : Convert.ToHexStringLower(id.Span);

    public static List<KeyValuePair<string, string>> Attributes(RepeatedField<KeyValue> attributes)
    {
        var list = new List<KeyValuePair<string, string>>(attributes.Count);
        foreach (var attribute in attributes)
        {
            list.Add(new(attribute.Key, Value(attribute.Value)));
        }

        return list;
    }

    public static string Value(AnyValue? value)
    {
        var text = value is null ? string.Empty : Format(value, depth: 0);
        return text.Length > MaxValueLength ? text[..MaxValueLength] + "…" : text;
    }

    private static string Format(AnyValue value, int depth) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue when depth < 8 =>
            "[" + string.Join(", ", value.ArrayValue.Values.Select(v => Format(v, depth + 1))) + "]",
        AnyValue.ValueOneofCase.KvlistValue when depth < 8 =>
            "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => kv.Key + "=" + (kv.Value is null ? string.Empty : Format(kv.Value, depth + 1)))) + "}",
        _ => string.Empty,
    };

    /// <summary>Fills <c>{Name}</c> holes of a message template from the record's attributes (the .NET exporter
    /// sends the template as the body when the formatted message is not included).</summary>
    public static string RenderTemplate(string body, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        if (!body.Contains('{', StringComparison.Ordinal) || attributes.Count == 0)
        {
            return body;
        }

        var result = new StringBuilder(body.Length + 32);
        var i = 0;
        while (i < body.Length)
        {
            var open = body.IndexOf('{', i);
            var close = open < 0 ? -1 : body.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                result.Append(body, i, body.Length - i);
                break;
            }

            result.Append(body, i, open - i);
            var hole = body.AsSpan(open + 1, close - open - 1);
            var colon = hole.IndexOfAny(':', ',');
            var name = (colon >= 0 ? hole[..colon] : hole).ToString();
            var match = attributes.FirstOrDefault(a => a.Key == name);
            result.Append(match.Key is null ? body.AsSpan(open, close - open + 1) : match.Value);
            i = close + 1;
        }

        return result.ToString();
    }

    public static string SeverityName(int number, string text) => number switch
    {
        >= 1 and <= 4 => "Trace",
        >= 5 and <= 8 => "Debug",
        >= 9 and <= 12 => "Information",
        >= 13 and <= 16 => "Warning",
        >= 17 and <= 20 => "Error",
        >= 21 and <= 24 => "Critical",
        _ => string.IsNullOrEmpty(text) ? "Unspecified" : text,
    };
}
