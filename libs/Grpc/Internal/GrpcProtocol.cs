using System.Globalization;
using System.Text;

namespace MlAspire.Grpc.Internal;

/// <summary>Wire constants and header codecs from https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";
    public const string SupportedEncodings = "identity,gzip";
    public const string UserAgent = "grpc-dotnet-mlaspire/1.0";

    /// <summary>Length-Prefixed-Message: Compressed-Flag (1 byte) + Message-Length (4 bytes, big-endian).</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>"application/grpc" followed by nothing, "+format" or ";params".</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>Parses TimeoutValue (1-8 ASCII digits) + TimeoutUnit (H M S m u n).</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        long amount = 0;
        for (var i = 0; i < value.Length - 1; i++)
        {
            var c = value[i];
            if (c is < '0' or > '9')
            {
                return false;
            }

            amount = (amount * 10) + (c - '0');
        }

        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * 10; break;
            case 'n': ticks = (amount + 99) / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats a timeout with the finest unit that fits in 8 digits, rounding up.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 0);
        var micros = (ticks + 9) / 10;
        if (micros < 100_000_000)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        var millis = (micros + 999) / 1000;
        if (millis < 100_000_000)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (millis + 999) / 1000;
        if (seconds < 100_000_000)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        var minutes = (seconds + 59) / 60;
        if (minutes < 100_000_000)
        {
            return minutes.ToString(CultureInfo.InvariantCulture) + "M";
        }

        return Math.Min((minutes + 59) / 60, 99_999_999).ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Percent-encodes UTF-8 bytes outside 0x20-0x7E and '%' (grpc-message rules).</summary>
    public static string PercentEncode(string value)
    {
        var needs = false;
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '%')
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return value;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)b);
            }
        }

        return sb.ToString();
    }

    /// <summary>Decodes percent-encoding; a malformed escape is kept as written (the spec asks receivers to be lenient).</summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new byte[value.Length * 3];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes[n++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                n += Encoding.UTF8.GetBytes(value.AsSpan(i, 1), bytes.AsSpan(n));
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Base64 with or without padding (both MUST be accepted for "-bin" headers).</summary>
    public static bool TryDecodeBinaryHeader(string value, out byte[] bytes)
    {
        var trimmed = value.Trim();
        var pad = (4 - (trimmed.Length % 4)) % 4;
        if (pad == 3)
        {
            bytes = [];
            return false;
        }

        var padded = pad == 0 ? trimmed : trimmed + new string('=', pad);
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>Unpadded base64 (the spec asks senders to omit padding).</summary>
    public static string EncodeBinaryHeader(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    /// <summary>Headers reserved by HTTP/2 or by gRPC itself, never surfaced as call metadata.</summary>
    public static bool IsReservedHeader(string key) =>
        key.Length > 0 && key[0] == ':'
        || key is "content-type" or "te" or "content-length" or "user-agent" or "host" or "connection"
            or "transfer-encoding" or "accept-encoding" or "traceparent" or "tracestate"
        || key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase);

    /// <summary>The HTTP status to gRPC status table for responses that are not gRPC (HTTP-to-gRPC mapping).</summary>
    public static StatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    public static bool IsSupportedEncoding(string encoding) =>
        string.Equals(encoding, IdentityEncoding, StringComparison.OrdinalIgnoreCase)
        || string.Equals(encoding, GzipEncoding, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a grpc-accept-encoding list names <paramref name="encoding"/>.</summary>
    public static bool AcceptsEncoding(string? acceptEncoding, string encoding)
    {
        if (acceptEncoding is null)
        {
            return false;
        }

        foreach (var range in acceptEncoding.AsSpan().Split(','))
        {
            if (acceptEncoding.AsSpan(range).Trim().Equals(encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static int ParseStatus(string? value, out bool valid)
    {
        valid = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code);
        return code;
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
