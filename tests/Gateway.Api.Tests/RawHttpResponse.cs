namespace MlAspire.Gateway.Api.Tests;

/// <summary>
/// A response read off a socket by <see cref="RawHttp"/>: status, headers (case-insensitive) and the decoded body;
/// status 0 when the server closed the connection without answering.
/// </summary>
internal sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static RawHttpResponse NoResponse { get; } = new(0, new Dictionary<string, string>(), string.Empty);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
