namespace MlAspire.ServiceDefaults.Telemetry;

/// <summary>Parses <c>OTEL_RESOURCE_ATTRIBUTES</c>: comma-separated <c>key=value</c> pairs, values percent-encoded.</summary>
public static class ResourceAttributes
{
    public static IReadOnlyList<KeyValuePair<string, object>> Parse(string? value)
    {
        var result = new List<KeyValuePair<string, object>>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return result;
        }

        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException(
                    $"OTEL_RESOURCE_ATTRIBUTES entry '{pair}' is not of the form key=value.");
            }

            var key = pair[..eq].Trim();
            var attributeValue = Uri.UnescapeDataString(pair[(eq + 1)..].Trim());
            result.Add(new KeyValuePair<string, object>(key, attributeValue));
        }

        return result;
    }
}
