using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlAspire.ServiceDefaults.Health;

/// <summary>
/// <c>/health</c> (ready: every registered check) and <c>/alive</c> (live: only checks tagged <see cref="LiveTag"/>),
/// mapped in every environment because the AppHost and Kubernetes probes use them.
/// </summary>
public static class HealthEndpoints
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>Tag for checks that say whether the process should be restarted (not whether it can take work).</summary>
    public const string LiveTag = "live";

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = WriteAsync });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = WriteAsync,
        });
        return app;
    }

    internal static bool IsHealthPath(PathString path) =>
        path.Equals(HealthPath, StringComparison.OrdinalIgnoreCase) ||
        path.Equals(AlivePath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Writes <c>{"status": "...", "checks": [{"name", "status", "description", "durationMs"}]}</c>.
    /// Exception text is never written: it can carry connection strings or hosts.
    /// </summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status"u8, report.Status.ToString());
            json.WriteNumber("durationMs"u8, Math.Round(report.TotalDuration.TotalMilliseconds, 2));
            json.WriteStartArray("checks"u8);
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject();
                json.WriteString("name"u8, name);
                json.WriteString("status"u8, entry.Status.ToString());
                if (entry.Description is { } description)
                {
                    json.WriteString("description"u8, description);
                }

                json.WriteNumber("durationMs"u8, Math.Round(entry.Duration.TotalMilliseconds, 2));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
