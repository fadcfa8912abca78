using System.Text.RegularExpressions;

namespace MlAspire.Hosting.Dashboard;

/// <summary>Hides secrets in the environment view: variables whose name mentions password, key, secret or token,
/// OTLP headers, any value containing a secret parameter's value, and <c>password=</c> parts of connection strings.</summary>
internal static partial class SecretMasker
{
    public const string Mask = "••••••";

    private static readonly string[] s_secretNameParts = ["password", "passwd", "pwd", "key", "secret", "token", "credential"];

    public static bool IsSecretName(string name) =>
        Array.Exists(s_secretNameParts, part => name.Contains(part, StringComparison.OrdinalIgnoreCase))
        || name.Equals("OTEL_EXPORTER_OTLP_HEADERS", StringComparison.OrdinalIgnoreCase);

    public static string MaskValue(string name, string value, IReadOnlyCollection<string> secretValues)
    {
        if (IsSecretName(name))
        {
            return Mask;
        }

        foreach (var secret in secretValues)
        {
            if (secret.Length > 0 && value.Contains(secret, StringComparison.Ordinal))
            {
                value = value.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return ConnectionStringPassword().Replace(value, m => m.Groups[1].Value + Mask);
    }

    [GeneratedRegex(@"(\b(?:password|pwd)\s*=\s*)[^,;]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionStringPassword();
}
