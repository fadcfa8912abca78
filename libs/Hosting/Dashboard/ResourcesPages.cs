using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlAspire.Hosting.Dashboard;

/// <summary>The resources page (every replica, its state and actions), a replica's details with its masked
/// environment, the JSON resource list and the start/stop/restart actions.</summary>
internal static class ResourcesPages
{
    public static void MapResourcesPages(this IEndpointRouteBuilder endpoints, DistributedApplication app)
    {
        endpoints.MapGet("/resources", () => Results.Content(
            Html.Page("Resources", "/resources", "<div id=\"resources\" data-refresh=\"/resources/table\">" + Table(app) + "</div>"),
            "text/html; charset=utf-8"));
        endpoints.MapGet("/resources/table", () => Results.Content(Table(app), "text/html; charset=utf-8"));
        endpoints.MapGet("/resources/{replicaId}", (string replicaId) => Details(app, replicaId));
        endpoints.MapGet("/api/resources", () => Results.Bytes(Json(app), "application/json"));
        endpoints.MapPost("/api/replicas/{replicaId}/{action}", (string replicaId, string action) => ActAsync(app, replicaId, action));
    }

    private static async Task<IResult> ActAsync(DistributedApplication app, string replicaId, string action)
    {
        if (app.ResourceNotifications.GetSnapshot(replicaId) is null)
        {
            return Results.NotFound($"no replica '{replicaId}'");
        }

        try
        {
            switch (action)
            {
                case "stop":
                    await app.StopReplicaAsync(replicaId).ConfigureAwait(false);
                    break;
                case "start":
                    if (!await app.StartReplicaAsync(replicaId).ConfigureAwait(false))
                    {
                        return Results.Conflict($"'{replicaId}' is running; stop it first or restart it");
                    }

                    break;
                case "restart":
                    await app.RestartReplicaAsync(replicaId).ConfigureAwait(false);
                    break;
                default:
                    return Results.BadRequest("action must be start, stop or restart");
            }
        }
        catch (KeyNotFoundException)
        {
            return Results.Conflict($"'{replicaId}' has not been started by the orchestrator yet");
        }

        return Results.Ok(new { replica = replicaId, action, state = app.ResourceNotifications.GetSnapshot(replicaId)?.State.ToString() });
    }

    private static string Table(DistributedApplication app)
    {
        var snapshots = app.ResourceNotifications.GetCurrentSnapshots();
        if (snapshots.Count == 0)
        {
            return "<p class=\"muted\">No resources started yet.</p>";
        }

        var html = new StringBuilder("<table class=\"grid\"><thead><tr><th>Resource</th><th>Replica</th><th>Type</th><th>State</th><th>Health</th>" +
            "<th>PID</th><th>Restarts</th><th>Endpoints</th><th>Actions</th></tr></thead><tbody>");
        foreach (var s in snapshots)
        {
            html.Append("<tr data-replica=\"").Append(Html.E(s.ReplicaId)).Append("\" data-state=\"").Append(s.State).Append("\">")
                .Append("<td>").Append(Html.E(s.ResourceName)).Append("</td>")
                .Append("<td><a href=\"/resources/").Append(Html.Q(s.ReplicaId)).Append("\">").Append(Html.E(s.ReplicaId)).Append("</a></td>")
                .Append("<td>").Append(Html.E(s.ResourceType)).Append("</td>")
                .Append("<td><span class=\"badge state-").Append(s.State.ToString().ToLowerInvariant()).Append("\">").Append(s.State).Append("</span>")
                .Append(s.Message is { } message ? "<div class=\"muted small\">" + Html.E(message) + "</div>" : string.Empty)
                .Append(s.ExitCode is { } code ? "<div class=\"muted small\">exit code " + code + "</div>" : string.Empty).Append("</td>")
                .Append("<td><span class=\"badge health-").Append(s.Health.ToString().ToLowerInvariant()).Append("\">").Append(s.Health).Append("</span></td>")
                .Append("<td>").Append(s.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").Append("</td>")
                .Append("<td>").Append(s.RestartCount).Append("</td><td>");
            foreach (var url in s.Urls)
            {
                html.Append("<a href=\"").Append(Html.E(url)).Append("\" target=\"_blank\" rel=\"noopener noreferrer\">").Append(Html.E(url)).Append("</a><br>");
            }

            html.Append("</td><td class=\"actions\">");
            foreach (var action in new[] { "start", "stop", "restart" })
            {
                html.Append("<button type=\"button\" data-action=\"").Append(action).Append("\" data-replica=\"").Append(Html.E(s.ReplicaId)).Append("\">")
                    .Append(action).Append("</button>");
            }

            html.Append(" <a href=\"/console?replica=").Append(Html.Q(s.ReplicaId)).Append("\">logs</a></td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static IResult Details(DistributedApplication app, string replicaId)
    {
        if (app.ResourceNotifications.GetSnapshot(replicaId) is not { } s)
        {
            return Results.Content(Html.Page("Not found", "/resources", "<p>No replica named " + Html.E(replicaId) + ".</p>"), "text/html; charset=utf-8", statusCode: 404);
        }

        var html = new StringBuilder()
            .Append("<dl class=\"props\"><dt>Resource</dt><dd>").Append(Html.E(s.ResourceName)).Append("</dd>")
            .Append("<dt>State</dt><dd><span class=\"badge state-").Append(s.State.ToString().ToLowerInvariant()).Append("\">").Append(s.State).Append("</span> ")
            .Append(Html.E(s.Message)).Append("</dd><dt>Health</dt><dd>").Append(s.Health).Append("</dd>")
            .Append("<dt>Restarts</dt><dd>").Append(s.RestartCount).Append("</dd></dl>")
            .Append("<h2>Environment</h2><table class=\"grid env\"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>");
        foreach (var (name, value) in Environment(app, replicaId))
        {
            html.Append("<tr><td>").Append(Html.E(name)).Append("</td><td><code>").Append(Html.E(value)).Append("</code></td></tr>");
        }

        html.Append("</tbody></table><p><a href=\"/console?replica=").Append(Html.Q(replicaId)).Append("\">Console output</a></p>");
        return Results.Content(Html.Page(replicaId, "/resources", html.ToString()), "text/html; charset=utf-8");
    }

    /// <summary>The replica's environment as run mode set it, secrets masked.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> Environment(DistributedApplication app, string replicaId)
    {
        var runner = app.Orchestrator.Runners.FirstOrDefault(r => r.ReplicaId == replicaId);
        if (runner is null)
        {
            return [];
        }

        var secrets = app.Resources.OfType<ParameterResource>().Where(p => p.Secret)
            .Select(p => TryGetValue(app, p)).OfType<string>().ToList();
        return [.. runner.Plan.Environment.Select(kv => new KeyValuePair<string, string>(kv.Key, SecretMasker.MaskValue(kv.Key, kv.Value, secrets)))];
    }

    private static string? TryGetValue(DistributedApplication app, ParameterResource parameter)
    {
        try
        {
            return app.Orchestrator.Values.GetParameterValue(parameter);
        }
        catch (Exception ex) when (ex is InvalidOperationException or DistributedApplicationException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static byte[] Json(DistributedApplication app)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var s in app.ResourceNotifications.GetCurrentSnapshots())
            {
                json.WriteStartObject();
                json.WriteString("resource", s.ResourceName);
                json.WriteString("replica", s.ReplicaId);
                json.WriteString("type", s.ResourceType);
                json.WriteString("state", s.State.ToString());
                json.WriteString("health", s.Health.ToString());
                json.WriteBoolean("healthy", s.IsHealthy);
                json.WriteNumber("restarts", s.RestartCount);
                if (s.ProcessId is { } pid)
                {
                    json.WriteNumber("pid", pid);
                }

                json.WriteStartArray("urls");
                foreach (var url in s.Urls)
                {
                    json.WriteStringValue(url);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.ToArray();
    }
}
