using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlAspire.Publishing;

/// <summary>Writes JSON trees as block-style YAML. Every string is double-quoted (YAML's double-quoted style
/// accepts JSON's escapes), so no value changes type on the way (<c>"8080"</c>, <c>"true"</c> stay strings);
/// keys are plain when they are safe. Output is deterministic: object order is insertion order.</summary>
internal static class YamlWriter
{
    private static readonly JsonSerializerOptions s_stringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Several documents separated by <c>---</c>.</summary>
    public static string WriteDocuments(IEnumerable<JsonObject> documents)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var document in documents)
        {
            if (!first)
            {
                text.Append("---\n");
            }

            first = false;
            WriteMapping(text, document, 0);
        }

        return text.ToString();
    }

    public static string Write(JsonObject document) => WriteDocuments([document]);

    private static void WriteMapping(StringBuilder text, JsonObject mapping, int indent)
    {
        foreach (var (key, value) in mapping)
        {
            text.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValueAfterKey(text, value, indent);
        }
    }

    private static void WriteValueAfterKey(StringBuilder text, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } child:
                text.Append('\n');
                WriteMapping(text, child, indent + 2);
                break;
            case JsonArray { Count: > 0 } items:
                text.Append('\n');
                WriteSequence(text, items, indent);
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteSequence(StringBuilder text, JsonArray items, int indent)
    {
        foreach (var item in items)
        {
            text.Append(' ', indent).Append("- ");
            switch (item)
            {
                case JsonObject { Count: > 0 } mapping:
                    var firstEntry = true;
                    foreach (var (key, value) in mapping)
                    {
                        if (!firstEntry)
                        {
                            text.Append(' ', indent + 2);
                        }

                        firstEntry = false;
                        text.Append(Key(key)).Append(':');
                        WriteValueAfterKey(text, value, indent + 2);
                    }

                    break;
                case JsonArray { Count: > 0 } nested:
                    text.Append('\n');
                    WriteSequence(text, nested, indent + 2);
                    break;
                default:
                    text.Append(Scalar(item)).Append('\n');
                    break;
            }
        }
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/') && char.IsAsciiLetter(key[0])
            && key is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "y" or "n")
            ? key
            : Quote(key);

    /// <summary>A YAML double-quoted scalar; JSON string escapes are valid there.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value, s_stringOptions);
}
