using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlAspire.ServiceDefaults.Health;

namespace MlAspire.ServiceDefaults.Telemetry;

/// <summary>
/// Stands in for the ASP.NET Core instrumentation package: puts the HTTP semantic-convention tags on the request
/// activity ASP.NET Core starts by itself, names it <c>METHOD route</c>, and drops health probes from traces.
/// </summary>
internal sealed class HttpServerActivityStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(EnrichAsync);
        next(app);
    };

    private static async Task EnrichAsync(HttpContext context, RequestDelegate next)
    {
        var activity = Activity.Current;
        if (activity is null || activity.Source.Name != "Microsoft.AspNetCore")
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (HealthEndpoints.IsHealthPath(context.Request.Path))
        {
            // Probes every few seconds would drown real traces: stop recording this one.
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("server.address", request.Host.Host);
        if (request.Host.Port is { } port)
        {
            activity.SetTag("server.port", port);
        }

        activity.SetTag("network.protocol.version", ProtocolVersion(request.Protocol));

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var statusCode = context.Response.StatusCode;
            activity.SetTag("http.response.status_code", statusCode);
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
            {
                activity.SetTag("http.route", route);
                activity.DisplayName = $"{request.Method} {route}";
            }

            if (statusCode >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ => protocol,
    };
}
