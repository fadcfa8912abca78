using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// The configured API keys, held only as SHA-256 hashes. A presented key is hashed and compared with every
/// configured hash in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), without early exit.
/// </summary>
internal sealed class ApiKeyStore
{
    private readonly (string Name, byte[] Hash)[] _keys;

    public ApiKeyStore(IOptions<GatewayOptions> options)
    {
        var entries = options.Value.ApiKeys;
        var keys = new List<(string, byte[])>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(entries[i]))
            {
                continue; // an emptied entry (e.g. an environment variable set to "") configures nothing
            }

            if (!TryParseEntry(entries[i], i, out var name, out var hash))
            {
                throw new InvalidOperationException($"Gateway:ApiKeys:{i} is malformed.");
            }

            keys.Add((name, hash));
        }

        _keys = [.. keys];
    }

    /// <summary>False when no keys are configured: authentication is off.</summary>
    public bool Enabled => _keys.Length > 0;

    /// <summary>The name of the key whose hash matches <paramref name="presented"/>.</summary>
    public bool TryAuthenticate(ReadOnlySpan<char> presented, [NotNullWhen(true)] out string? name)
    {
        name = null;
        if (presented.IsEmpty || presented.Length > 512)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(presented.ToString());
        SHA256.HashData(bytes, hash);
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash) && name is null)
            {
                name = key.Name;
            }
        }

        return name is not null;
    }

    /// <summary>Parses <c>name:hex</c> or <c>hex</c> (64 hex chars = SHA-256); unnamed keys are called <c>key{index}</c>.</summary>
    public static bool TryParseEntry(string? entry, int index, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out byte[]? hash)
    {
        name = null;
        hash = null;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        var colon = entry.LastIndexOf(':');
        var hex = colon >= 0 ? entry[(colon + 1)..].Trim() : entry.Trim();
        var keyName = colon >= 0 ? entry[..colon].Trim() : "key" + index.ToString(CultureInfo.InvariantCulture);
        if (keyName.Length == 0 || hex.Length != SHA256.HashSizeInBytes * 2)
        {
            return false;
        }

        try
        {
            hash = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return false;
        }

        name = keyName;
        return true;
    }

    /// <summary>The configuration value for a key: SHA-256 as lower-case hex (what <c>Gateway:ApiKeys</c> holds).</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
