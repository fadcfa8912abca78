using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlAspire.Hosting.Otlp;

namespace MlAspire.Hosting.Dashboard;

/// <summary>Structured logs, traces (list and waterfall) and metrics (instrument list and an SVG chart) from the
/// OTLP telemetry store.</summary>
internal static class TelemetryPages
{
    private static readonly (string Name, int Min)[] s_levels =
        [("All", 0), ("Debug", 5), ("Information", 9), ("Warning", 13), ("Error", 17), ("Critical", 21)];

    private static readonly string[] s_colors = ["#2f6fdf", "#d9480f", "#2b8a3e", "#ae3ec9", "#e67700", "#0b7285"];

    public static void MapTelemetryPages(this IEndpointRouteBuilder endpoints, TelemetryStore store)
    {
        endpoints.MapGet("/structured", (string? resource, string? level, string? q) =>
            HtmlResult(Html.Page("Structured logs", "/structured", StructuredLogs(store, resource, level, q))));
        endpoints.MapGet("/traces", (string? resource) => HtmlResult(Html.Page("Traces", "/traces", Traces(store, resource))));
        endpoints.MapGet("/traces/{traceId}", (string traceId) => HtmlResult(Html.Page("Trace " + traceId, "/traces", Waterfall(store, traceId))));
        endpoints.MapGet("/metrics", (string? resource, string? instrument) =>
            HtmlResult(Html.Page("Metrics", "/metrics", Metrics(store, resource, instrument))));
    }

    private static IResult HtmlResult(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static StringBuilder ResourceSelect(StringBuilder html, TelemetryStore store, string? selected)
    {
        html.Append("<label>Resource <select name=\"resource\"><option value=\"\">All</option>");
        foreach (var name in store.GetResources().SelectMany(r => new[] { r.ServiceName, r.DisplayName }).Distinct().Order(StringComparer.Ordinal))
        {
            html.Append("<option").Append(name == selected ? " selected" : string.Empty).Append('>').Append(Html.E(name)).Append("</option>");
        }

        return html.Append("</select></label> ");
    }

    private static string StructuredLogs(TelemetryStore store, string? resource, string? level, string? q)
    {
        var min = s_levels.FirstOrDefault(l => l.Name == level).Min;
        var html = new StringBuilder("<form class=\"filters\" method=\"get\">");
        ResourceSelect(html, store, resource).Append("<label>Level <select name=\"level\">");
        foreach (var (name, _) in s_levels)
        {
            html.Append("<option").Append(name == level ? " selected" : string.Empty).Append('>').Append(name).Append("</option>");
        }

        html.Append("</select></label> <label>Text <input type=\"search\" name=\"q\" value=\"").Append(Html.E(q)).Append("\"></label> ")
            .Append("<button type=\"submit\">Filter</button></form>");
        var logs = store.GetLogs(resource, min, q, max: 500);
        html.Append("<p class=\"muted\">").Append(logs.Count).Append(" newest matching of ").Append(store.LogCount).Append(" kept records</p>")
            .Append("<table class=\"grid logs\"><thead><tr><th>Time</th><th>Resource</th><th>Level</th><th>Message</th><th>Trace</th></tr></thead><tbody>");
        foreach (var log in logs.Reverse())
        {
            html.Append("<tr><td>").Append(Html.Time(log.Timestamp)).Append("</td><td>").Append(Html.E(log.Resource.DisplayName))
                .Append("</td><td><span class=\"badge level-").Append(log.Severity.ToLowerInvariant()).Append("\">").Append(Html.E(log.Severity)).Append("</span></td><td>")
                .Append(Html.E(log.Message));
            if (log.Attributes.Count > 0)
            {
                html.Append("<details><summary>").Append(log.Attributes.Count).Append(" attributes · ").Append(Html.E(log.Scope)).Append("</summary><dl class=\"attrs\">");
                foreach (var (key, value) in log.Attributes)
                {
                    html.Append("<dt>").Append(Html.E(key)).Append("</dt><dd>").Append(Html.E(value)).Append("</dd>");
                }

                html.Append("</dl></details>");
            }

            html.Append("</td><td>").Append(log.TraceId is { } t ? $"<a href=\"/traces/{t}\">{t[..8]}</a>" : string.Empty).Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string Traces(TelemetryStore store, string? resource)
    {
        var html = new StringBuilder("<form class=\"filters\" method=\"get\">");
        ResourceSelect(html, store, resource).Append("<button type=\"submit\">Filter</button></form>");
        var traces = store.GetTraces(resource);
        html.Append("<p class=\"muted\">").Append(store.TraceCount).Append(" traces, ").Append(store.SpanCount).Append(" spans kept</p>")
            .Append("<table class=\"grid traces\"><thead><tr><th>Start</th><th>Name</th><th>Services</th><th>Spans</th><th>Duration</th></tr></thead><tbody>");
        foreach (var trace in traces)
        {
            html.Append("<tr").Append(trace.HasError ? " class=\"error\"" : string.Empty).Append("><td>").Append(Html.Time(trace.Start))
                .Append("</td><td><a href=\"/traces/").Append(trace.TraceId).Append("\">").Append(Html.E(trace.Name)).Append("</a></td><td>")
                .Append(Html.E(string.Join(", ", trace.Services))).Append("</td><td>").Append(trace.SpanCount).Append("</td><td>")
                .Append(Html.Duration(trace.Duration)).Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string Waterfall(TelemetryStore store, string traceId)
    {
        var spans = store.GetTrace(traceId);
        if (spans.Count == 0)
        {
            return "<p>This trace is unknown or was evicted from the store.</p>";
        }

        var start = spans.Min(s => s.Start);
        var total = Math.Max((spans.Max(s => s.Start + s.Duration) - start).Ticks, 1);
        var html = new StringBuilder("<p class=\"muted\">").Append(spans.Count).Append(" spans across ")
            .Append(Html.E(string.Join(", ", spans.Select(s => s.Resource.ServiceName).Distinct()))).Append(", ")
            .Append(Html.Duration(TimeSpan.FromTicks(total))).Append("</p><div class=\"waterfall\">");
        foreach (var (span, depth) in Nest(spans))
        {
            var left = 100.0 * (span.Start - start).Ticks / total;
            var width = Math.Max(100.0 * span.Duration.Ticks / total, 0.4);
            html.Append("<details class=\"span").Append(span.Status == "Error" ? " error" : string.Empty).Append("\" data-span=\"").Append(span.SpanId)
                .Append("\" data-parent=\"").Append(span.ParentSpanId).Append("\" data-depth=\"").Append(depth).Append("\"><summary>")
                .Append("<span class=\"label\" style=\"padding-left:").Append(depth * 16).Append("px\"><b>").Append(Html.E(span.Resource.ServiceName))
                .Append("</b> ").Append(Html.E(span.Name)).Append("</span><span class=\"track\"><span class=\"bar\" style=\"left:")
                .Append(left.ToString("0.###", CultureInfo.InvariantCulture)).Append("%;width:").Append(Math.Min(width, 100 - left).ToString("0.###", CultureInfo.InvariantCulture))
                .Append("%\"></span></span><span class=\"dur\">").Append(Html.Duration(span.Duration)).Append("</span></summary><dl class=\"attrs\">")
                .Append("<dt>span id</dt><dd>").Append(span.SpanId).Append("</dd><dt>parent</dt><dd>").Append(span.ParentSpanId ?? "(root)")
                .Append("</dd><dt>kind</dt><dd>").Append(Html.E(span.Kind)).Append("</dd><dt>status</dt><dd>").Append(Html.E(span.Status))
                .Append(span.StatusMessage is { } m ? ": " + Html.E(m) : string.Empty).Append("</dd><dt>instance</dt><dd>").Append(Html.E(span.Resource.DisplayName)).Append("</dd>");
            foreach (var (key, value) in span.Attributes)
            {
                html.Append("<dt>").Append(Html.E(key)).Append("</dt><dd>").Append(Html.E(value)).Append("</dd>");
            }

            html.Append("</dl></details>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>Depth-first order: every span right under its parent (by parent span id), siblings by start time;
    /// spans whose parent is not in the store start their own subtree.</summary>
    internal static List<(SpanEntry Span, int Depth)> Nest(IReadOnlyList<SpanEntry> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId))
            .GroupBy(s => s.ParentSpanId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ToList(), StringComparer.Ordinal);
        var result = new List<(SpanEntry, int)>(spans.Count);
        var stack = new Stack<(SpanEntry, int)>();
        foreach (var root in spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).OrderByDescending(s => s.Start))
        {
            stack.Push((root, 0));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stack.TryPop(out var item))
        {
            if (!seen.Add(item.Item1.SpanId))
            {
                continue; // duplicate span ids must not loop
            }

            result.Add(item);
            if (children.TryGetValue(item.Item1.SpanId, out var kids))
            {
                for (var i = kids.Count - 1; i >= 0; i--)
                {
                    stack.Push((kids[i], item.Item2 + 1));
                }
            }
        }

        return result;
    }

    private static string Metrics(TelemetryStore store, string? resource, string? instrument)
    {
        var html = new StringBuilder();
        var all = store.GetMetrics(resource);
        if (!string.IsNullOrEmpty(instrument))
        {
            var series = all.Where(s => s.Name == instrument).ToList();
            html.Append("<h2>").Append(Html.E(instrument)).Append("</h2>");
            html.Append(series.Count == 0 ? "<p>No points for this instrument.</p>" : Chart(series));
        }

        html.Append("<form class=\"filters\" method=\"get\">");
        ResourceSelect(html, store, resource).Append("<button type=\"submit\">Filter</button></form>")
            .Append("<table class=\"grid metrics\"><thead><tr><th>Resource</th><th>Instrument</th><th>Kind</th><th>Unit</th><th>Attributes</th><th>Last value</th></tr></thead><tbody>");
        foreach (var s in all)
        {
            var last = s.Points.Count > 0 ? s.Points[^1] : null;
            html.Append("<tr><td>").Append(Html.E(s.Resource.DisplayName)).Append("</td><td><a href=\"/metrics?resource=").Append(Html.Q(s.Resource.DisplayName))
                .Append("&amp;instrument=").Append(Html.Q(s.Name)).Append("\" title=\"").Append(Html.E(s.Description)).Append("\">").Append(Html.E(s.Name))
                .Append("</a></td><td>").Append(Html.E(s.Kind)).Append("</td><td>").Append(Html.E(s.Unit)).Append("</td><td class=\"small\">").Append(Html.E(s.Attributes))
                .Append("</td><td>");
            if (last is not null)
            {
                html.Append(last.Count is { } count
                    ? $"count {count}, sum {Html.Number(last.Sum ?? 0)}, avg {Html.Number(last.Value)}"
                    : Html.Number(last.Value));
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>An inline SVG line chart of the recent points, one line per resource and attribute set
    /// (histograms plot the average).</summary>
    private static string Chart(List<MetricSeries> series)
    {
        const int Width = 900, Height = 260, Left = 70, Right = 10, Top = 10, Bottom = 30;
        var points = series.SelectMany(s => s.Points).ToList();
        var t0 = points.Min(p => p.Timestamp);
        var t1 = points.Max(p => p.Timestamp);
        var span = Math.Max((t1 - t0).TotalMilliseconds, 1);
        var min = Math.Min(points.Min(p => p.Value), 0);
        var max = points.Max(p => p.Value);
        if (max <= min)
        {
            max = min + 1;
        }

        double X(DateTimeOffset t) => Left + ((t - t0).TotalMilliseconds / span * (Width - Left - Right));
        double Y(double v) => Top + ((max - v) / (max - min) * (Height - Top - Bottom));
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"chart\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" class=\"axis\"/>")
            .Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" class=\"axis\"/>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Top + 10}\" text-anchor=\"end\">{Html.Number(max)}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Height - Bottom}\" text-anchor=\"end\">{Html.Number(min)}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 8}\">{Html.Time(t0)}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{Height - 8}\" text-anchor=\"end\">{Html.Time(t1)}</text>");
        var legend = new StringBuilder("<ul class=\"legend\">");
        for (var i = 0; i < series.Count && i < s_colors.Length; i++)
        {
            var color = s_colors[i];
            var coordinates = string.Join(' ', series[i].Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Timestamp):0.#},{Y(p.Value):0.#}")));
            svg.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(color).Append("\" points=\"").Append(coordinates).Append("\"/>");
            legend.Append("<li><span class=\"swatch\" style=\"background:").Append(color).Append("\"></span>").Append(Html.E(series[i].Resource.DisplayName))
                .Append(' ').Append(Html.E(series[i].Attributes)).Append(series[i].Kind.Contains("Histogram", StringComparison.Ordinal) || series[i].Kind == "Summary" ? " (average)" : string.Empty)
                .Append("</li>");
        }

        return svg.Append("</svg>").Append(legend).Append("</ul>").ToString();
    }
}
