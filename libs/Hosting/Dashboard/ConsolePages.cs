using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlAspire.Hosting.Dashboard;

/// <summary>Console output per replica: a page with a replica selector and a text filter, fed live by
/// Server-Sent Events (the kept history first, then every new line).</summary>
internal static class ConsolePages
{
    private const int HistoryLines = 1000;

    public static void MapConsolePages(this IEndpointRouteBuilder endpoints, DistributedApplication app)
    {
        endpoints.MapGet("/console", (string? replica) => Results.Content(Page(app, replica), "text/html; charset=utf-8"));
        endpoints.MapGet("/api/console/{replicaId}/stream", (HttpContext context, string replicaId) => StreamAsync(context, app, replicaId));
    }

    private static string Page(DistributedApplication app, string? replica)
    {
        var replicas = app.ResourceNotifications.GetCurrentSnapshots().Select(s => s.ReplicaId).ToList();
        replica = replica is not null && replicas.Contains(replica) ? replica : replicas.FirstOrDefault();
        var html = new StringBuilder("<form class=\"filters\" id=\"console-form\"><label>Replica <select id=\"replica\" name=\"replica\">");
        foreach (var id in replicas)
        {
            html.Append("<option").Append(id == replica ? " selected" : string.Empty).Append('>').Append(Html.E(id)).Append("</option>");
        }

        html.Append("</select></label> <label>Filter <input id=\"console-filter\" type=\"search\" placeholder=\"text\"></label>")
            .Append(" <span id=\"console-status\" class=\"muted\"></span></form>")
            .Append("<pre id=\"console\" class=\"console\"")
            .Append(replica is null ? string.Empty : " data-stream=\"/api/console/" + Html.Q(replica) + "/stream\"")
            .Append("></pre>");
        return Html.Page("Console", "/console", html.ToString());
    }

    private static async Task StreamAsync(HttpContext context, DistributedApplication app, string replicaId)
    {
        if (app.ResourceNotifications.GetSnapshot(replicaId) is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";

        // Subscribe before reading the history so that no line falls between the two; skip the overlap by line number.
        await using var live = app.ResourceLogs.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = live.MoveNextAsync();
        var last = 0L;
        var buffer = new ArrayBufferWriter<byte>(4096);
        foreach (var line in app.ResourceLogs.GetLogs(replicaId, HistoryLines))
        {
            Write(buffer, line);
            last = line.LineNumber;
        }

        await FlushAsync(context, buffer, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await next.ConfigureAwait(false))
            {
                var line = live.Current;
                if (line.ReplicaId == replicaId && line.LineNumber > last)
                {
                    Write(buffer, line);
                    await FlushAsync(context, buffer, cancellationToken).ConfigureAwait(false);
                }

                next = live.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser went away.
        }
    }

    private static void Write(ArrayBufferWriter<byte> buffer, LogLine line)
    {
        buffer.Write("id: "u8);
        Encoding.UTF8.GetBytes(line.LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), buffer);
        buffer.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("n", line.LineNumber);
            json.WriteString("t", line.Timestamp);
            json.WriteBoolean("e", line.IsError);
            json.WriteString("x", line.Text);
            json.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
    }

    private static async Task FlushAsync(HttpContext context, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.WrittenCount > 0)
        {
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }

        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
