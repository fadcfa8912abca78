using System.Buffers;

namespace MlAspire.Hosting;

/// <summary>Aspire's resource-name rule: ASCII letters, digits and hyphens, starting with a letter,
/// no consecutive or trailing hyphen, at most 64 characters. Names become env-var parts and DNS names.</summary>
internal static class ResourceNames
{
    private const int MaxLength = 64;

    private static readonly SearchValues<char> s_allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    public static void ThrowIfInvalid(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxLength
            || !char.IsAsciiLetter(name[0])
            || name.AsSpan().ContainsAnyExcept(s_allowed)
            || name.EndsWith('-')
            || name.Contains("--", StringComparison.Ordinal))
        {
            throw new DistributedApplicationException(
                $"Resource name '{name}' is invalid: use 1-{MaxLength} ASCII letters, digits and single hyphens, starting with a letter.");
        }
    }
}
