namespace MlAspire.ServiceDefaults.Discovery;

/// <summary>Validates one service-discovery value as Aspire injects it: an absolute http(s) URL with a host.</summary>
internal static class ServiceEndpointParser
{
    public static bool TryParse(string? value, out Uri? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "the value is empty";
            return false;
        }

        if (!value.Contains("://", StringComparison.Ordinal) ||
            !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
        {
            error = $"'{value}' is not an absolute URL (expected e.g. http://localhost:5123)";
            return false;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            error = $"'{value}' has scheme '{uri.Scheme}'; only http and https are supported";
            return false;
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{value}' has no host";
            return false;
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = $"'{value}' must not carry a path, query or fragment";
            return false;
        }

        endpoint = uri;
        return true;
    }
}
