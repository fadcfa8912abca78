using System.Globalization;
using System.Net.Security;
using System.Text;

namespace MlAspire.Redis;

/// <summary>
/// Connection settings. <see cref="Parse"/> reads the StackExchange.Redis form
/// (<c>host:port[,host2:port2],password=...,user=...,ssl=true,defaultDatabase=N,connectTimeout=ms,syncTimeout=ms</c>)
/// and the URI form (<c>redis://[user[:password]@]host[:port][/db][?key=value]</c>, <c>rediss://</c> for TLS).
/// </summary>
public sealed class RedisOptions
{
    private static readonly HashSet<string> s_toleratedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        // Accepted for compatibility with StackExchange.Redis strings; they change nothing here.
        "allowAdmin", "keepAlive", "resolveDns", "tiebreaker", "version", "configChannel", "configCheckSeconds",
        "checkCertificateRevocation", "sslProtocols", "responseTimeout", "writeBuffer", "highPrioritySocketThreads",
        "setlib", "connectRetry",
    };

    /// <summary>Servers to try, in order. The client talks to the first one that accepts the connection.</summary>
    public IList<RedisEndpoint> Endpoints { get; } = [];

    public string? User { get; set; }

    public string? Password { get; set; }

    public bool Ssl { get; set; }

    /// <summary>Host name to validate the server certificate against (defaults to the endpoint host).</summary>
    public string? SslHost { get; set; }

    /// <summary>Extra certificate check for TLS (for example to trust a private CA); null uses the system's rules.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    public int DefaultDatabase { get; set; }

    public string? ClientName { get; set; }

    public RedisProtocol Protocol { get; set; } = RedisProtocol.Resp3;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default per-command timeout (<c>syncTimeout</c>/<c>asyncTimeout</c>).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>When true (the default), <see cref="RedisClient.ConnectAsync(RedisOptions, CancellationToken)"/> throws if no server answers.</summary>
    public bool AbortOnConnectFail { get; set; } = true;

    public BacklogPolicy BacklogPolicy { get; set; } = BacklogPolicy.Wait;

    /// <summary>Longest pause between reconnect attempts (the backoff doubles up to this, with jitter).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses a connection string; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static RedisOptions Parse(string connectionString)
    {
        if (TryParse(connectionString, out var options, out var error))
        {
            return options;
        }

        throw new FormatException(error);
    }

    /// <summary>Parses a connection string; on failure <paramref name="error"/> says what is wrong (never the password).</summary>
    public static bool TryParse(
        string? connectionString,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RedisOptions? options,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        options = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "Invalid Redis connection string: it is empty.";
            return false;
        }

        var result = new RedisOptions();
        var text = connectionString.Trim();
        error = text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
            ? result.ParseUri(text)
            : result.ParseList(text);
        if (error is null && result.Endpoints.Count == 0)
        {
            error = "The Redis connection string names no endpoint (expected host:port).";
        }

        if (error is not null)
        {
            error = "Invalid Redis connection string: " + error;
            return false;
        }

        options = result;
        return true;
    }

    /// <summary>The options as a connection string, with the password replaced by <c>*****</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.AppendJoin(',', Endpoints);
        if (User is not null)
        {
            builder.Append(",user=").Append(User);
        }

        if (Password is not null)
        {
            builder.Append(",password=*****");
        }

        builder.Append(CultureInfo.InvariantCulture, $",ssl={(Ssl ? "true" : "false")},defaultDatabase={DefaultDatabase}");
        builder.Append(CultureInfo.InvariantCulture, $",connectTimeout={(long)ConnectTimeout.TotalMilliseconds},syncTimeout={(long)CommandTimeout.TotalMilliseconds}");
        builder.Append(",protocol=").Append(Protocol == RedisProtocol.Resp2 ? "resp2" : "resp3");
        return builder.ToString();
    }

    private string? ParseList(string text)
    {
        var ssl = (bool?)null;
        var pendingEndpoints = new List<string>();
        foreach (var rawPart in text.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                pendingEndpoints.Add(part);
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            var error = ApplyOption(key, value, ref ssl);
            if (error is not null)
            {
                return error;
            }
        }

        Ssl = ssl ?? false;
        foreach (var endpoint in pendingEndpoints)
        {
            var error = ParseEndpoint(endpoint, Ssl ? 6380 : 6379, out var parsed);
            if (error is not null)
            {
                return error;
            }

            Endpoints.Add(parsed!);
        }

        return null;
    }

    private string? ParseUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "the URI is malformed (expected redis://[user[:password]@]host[:port][/db]).";
        }

        var ssl = (bool?)(uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase));
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? uri.UserInfo : uri.UserInfo[..colon];
            User = user.Length == 0 ? null : Uri.UnescapeDataString(user);
            if (colon >= 0)
            {
                Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
            else if (User is not null)
            {
                // redis://secret@host is how many tools write a password without a user.
                Password = User;
                User = null;
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            {
                return $"the URI path '/{path}' is not a database number.";
            }

            DefaultDatabase = db;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            var error = ApplyOption(key, value, ref ssl);
            if (error is not null)
            {
                return error;
            }
        }

        Ssl = ssl ?? false;
        var port = uri.IsDefaultPort || uri.Port < 0 ? (Ssl ? 6380 : 6379) : uri.Port;
        Endpoints.Add(new RedisEndpoint(uri.Host.Trim('[', ']'), port));
        return null;
    }

    private string? ApplyOption(string key, string value, ref bool? ssl)
    {
        switch (key.ToUpperInvariant())
        {
            case "PASSWORD":
                Password = value;
                return null;
            case "USER":
            case "USERNAME":
                User = value.Length == 0 ? null : value;
                return null;
            case "SSL":
                {
                    var error = ParseBool(key, value, out var flag);
                    ssl = flag;
                    return error;
                }

            case "SSLHOST":
                SslHost = value.Length == 0 ? null : value;
                return null;
            case "NAME":
                ClientName = value.Length == 0 ? null : value;
                return value.Contains(' ', StringComparison.Ordinal) ? $"'{key}' must not contain spaces." : null;
            case "DEFAULTDATABASE":
            case "DB":
                {
                    var error = ParseInt(key, value, 0, 100_000, out var db);
                    DefaultDatabase = db;
                    return error;
                }

            case "CONNECTTIMEOUT":
                {
                    var error = ParseInt(key, value, 1, int.MaxValue, out var ms);
                    ConnectTimeout = TimeSpan.FromMilliseconds(ms);
                    return error;
                }

            case "SYNCTIMEOUT":
            case "ASYNCTIMEOUT":
                {
                    var error = ParseInt(key, value, 1, int.MaxValue, out var ms);
                    CommandTimeout = TimeSpan.FromMilliseconds(ms);
                    return error;
                }

            case "ABORTCONNECT":
                {
                    var error = ParseBool(key, value, out var flag);
                    AbortOnConnectFail = flag;
                    return error;
                }

            case "PROTOCOL":
                switch (value.ToUpperInvariant())
                {
                    case "RESP3":
                    case "3":
                        Protocol = RedisProtocol.Resp3;
                        return null;
                    case "RESP2":
                    case "2":
                        Protocol = RedisProtocol.Resp2;
                        return null;
                    default:
                        return $"'protocol={value}' is not supported (use resp2 or resp3).";
                }

            case "BACKLOGPOLICY":
                switch (value.ToUpperInvariant())
                {
                    case "WAIT":
                    case "DEFAULT":
                        BacklogPolicy = BacklogPolicy.Wait;
                        return null;
                    case "FAILFAST":
                        BacklogPolicy = BacklogPolicy.FailFast;
                        return null;
                    default:
                        return $"'backlogPolicy={value}' is not supported (use wait or failFast).";
                }

            case "RECONNECTMAXDELAY":
                {
                    var error = ParseInt(key, value, 1, int.MaxValue, out var ms);
                    MaxReconnectDelay = TimeSpan.FromMilliseconds(ms);
                    return error;
                }

            case "PROXY":
                return value.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : $"'proxy={value}' is not supported.";
            case "SERVICENAME":
                return "'serviceName' (Sentinel) is not supported by this client.";
            default:
                return key.Length == 0
                    ? "an option has an empty name ('=value')."
                    : s_toleratedKeys.Contains(key) ? null : $"unknown option '{key}'.";
        }
    }

    private static string? ParseEndpoint(string text, int defaultPort, out RedisEndpoint? endpoint)
    {
        endpoint = null;
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return $"endpoint '{text}' has an unclosed '['.";
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    return $"endpoint '{text}' has text after ']' that is not ':port'.";
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                // A bare IPv6 literal without brackets and without port.
                host = text;
            }
            else if (colon >= 0)
            {
                host = text[..colon];
                portText = text[(colon + 1)..];
            }
            else
            {
                host = text;
            }
        }

        if (host.Length == 0 || host.Contains(' ', StringComparison.Ordinal))
        {
            return $"endpoint '{text}' has no valid host name.";
        }

        var port = defaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return $"the port in endpoint '{text}' is not a number between 1 and 65535.";
        }

        endpoint = new RedisEndpoint(host, port);
        return null;
    }

    private static string? ParseBool(string key, string value, out bool result)
    {
        if (bool.TryParse(value, out result))
        {
            return null;
        }

        return $"'{key}={value}' is not true or false.";
    }

    private static string? ParseInt(string key, string value, int min, int max, out int result)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result) && result >= min && result <= max)
        {
            return null;
        }

        result = 0;
        return $"'{key}={value}' is not a whole number between {min} and {max}.";
    }
}
