using System.Globalization;
using System.Net;
using System.Text;

namespace MlAspire.Hosting.Dashboard;

/// <summary>Server-side HTML: encoding and the page frame shared by every dashboard page.</summary>
internal static class Html
{
    private static readonly (string Path, string Title)[] s_nav =
    [
        ("/resources", "Resources"),
        ("/console", "Console"),
        ("/structured", "Structured logs"),
        ("/traces", "Traces"),
        ("/metrics", "Metrics"),
    ];

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>Encodes a query-string value.</summary>
    public static string Q(string? text) => Uri.EscapeDataString(text ?? string.Empty);

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMicroseconds:0}µs"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.##}ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s"),
    };

    public static string Number(double value) =>
        Math.Abs(value) >= 1e6 || (value != 0 && Math.Abs(value) < 1e-3)
            ? value.ToString("0.###e0", CultureInfo.InvariantCulture)
            : value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Page(string title, string activePath, string body)
    {
        var html = new StringBuilder(body.Length + 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · MlAspire</title>")
            .Append("<link rel=\"stylesheet\" href=\"/assets/dashboard.css\">")
            .Append("<script src=\"/assets/dashboard.js\" defer></script></head><body>")
            .Append("<header><span class=\"brand\">MlAspire</span><nav>");
        foreach (var (path, name) in s_nav)
        {
            html.Append("<a href=\"").Append(path).Append('"').Append(path == activePath ? " class=\"active\"" : string.Empty)
                .Append('>').Append(E(name)).Append("</a>");
        }

        html.Append("</nav></header><main><h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        return html.ToString();
    }

    public static string Bare(string title, string body) =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + E(title) +
        " · MlAspire</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body><main class=\"narrow\"><h1>" +
        E(title) + "</h1>" + body + "</main></body></html>";
}
