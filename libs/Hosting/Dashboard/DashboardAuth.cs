using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace MlAspire.Hosting.Dashboard;

/// <summary>Browser access: a random token printed once in the login URL buys an HttpOnly, SameSite=Strict
/// session cookie. Both are 32 random bytes (base64url) compared in constant time.</summary>
internal sealed class DashboardAuth
{
    public const string CookieName = "mlaspire_dashboard";

    private readonly byte[] _token = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _session = RandomNumberGenerator.GetBytes(32);

    public string Token => Base64Url.EncodeToString(_token);

    public bool IsValidToken(string? presented) => Matches(presented, _token);

    public bool HasSession(HttpContext context) =>
        Matches(context.Request.Cookies[CookieName], _session);

    public void IssueCookie(HttpContext context) =>
        context.Response.Cookies.Append(CookieName, Base64Url.EncodeToString(_session), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });

    /// <summary>True only for a request the dashboard's own pages made: the browser's <c>Origin</c> (sent with every
    /// POST by fetch) or, failing that, <c>Sec-Fetch-Site</c> must say same origin.</summary>
    public static bool IsSameOrigin(HttpContext context)
    {
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "same-origin", StringComparison.Ordinal);
    }

    private static bool Matches(string? presented, byte[] expected)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 128)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[96];
        if (!Base64Url.IsValid(presented) || !Base64Url.TryDecodeFromChars(presented, decoded, out var length))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(decoded[..length], expected);
    }
}
