using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MlAspire.Hosting.Otlp;

namespace MlAspire.Hosting.Dashboard;

/// <summary>The AppHost's dashboard: a browser UI on one loopback port (behind the login token) and an OTLP/HTTP
/// receiver on another (behind an API key header that run mode hands to every replica).</summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _ui;
    private readonly WebApplication _otlp;
    private readonly DashboardAuth _auth;

    private DashboardServer(WebApplication ui, WebApplication otlp, DashboardAuth auth, TelemetryStore telemetry, string otlpApiKey)
    {
        _ui = ui;
        _otlp = otlp;
        _auth = auth;
        Telemetry = telemetry;
        OtlpApiKey = otlpApiKey;
        Url = FirstAddress(ui);
        OtlpUrl = FirstAddress(otlp);
        LoginUrl = new Uri(Url, "/login?t=" + auth.Token);
    }

    /// <summary>The UI's base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The URL to open: it carries the one-time browser token.</summary>
    public Uri LoginUrl { get; }

    /// <summary>The OTLP/HTTP receiver's base address (services POST to <c>/v1/traces</c> etc. under it).</summary>
    public Uri OtlpUrl { get; }

    /// <summary>Value of the <c>x-otlp-api-key</c> header the receiver requires.</summary>
    public string OtlpApiKey { get; }

    public TelemetryStore Telemetry { get; }

    internal static async Task<DashboardServer> StartAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var auth = new DashboardAuth();
        var telemetry = new TelemetryStore(app.Options.TelemetryLimits);
        var apiKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        var (uiAddress, uiPort) = ListenAddress(app.Options.DashboardUrl);
        var ui = CreateApp(uiAddress, uiPort);
        ui.Use((context, next) => GuardAsync(auth, context, next));
        ui.MapGet("/", () => Results.Redirect("/resources"));
        ui.MapGet("/login", (HttpContext context, string? t) => Login(auth, context, t));
        ui.MapGet("/unauthorized", () => Results.Content(UnauthorizedPage(), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized));
        ui.MapGet("/assets/{name}", (string name) => Asset(name));
        ui.MapResourcesPages(app);
        ui.MapConsolePages(app);
        ui.MapTelemetryPages(telemetry);

        var (otlpAddress, otlpPort) = ListenAddress(app.Options.DashboardOtlpUrl);
        var otlp = CreateApp(otlpAddress, otlpPort);
        otlp.MapOtlpApi(telemetry, apiKey);

        await ui.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await otlp.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ui.DisposeAsync().ConfigureAwait(false);
            await otlp.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new DashboardServer(ui, otlp, auth, telemetry, apiKey);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _ui.StopAsync(timeout.Token).ConfigureAwait(false);
        await _otlp.StopAsync(timeout.Token).ConfigureAwait(false);
        await _ui.DisposeAsync().ConfigureAwait(false);
        await _otlp.DisposeAsync().ConfigureAwait(false);
    }

    private static WebApplication CreateApp(IPAddress address, int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // the OTLP receiver enforces its own 8 MiB limit (413)
            kestrel.Listen(address, port);
        });
        builder.Services.AddRouting();
        var app = builder.Build();
        app.UseRouting();
        return app;
    }

    /// <summary><c>AppHost:DashboardUrl</c> may fix the port (and an IP to bind); default: a free port on 127.0.0.1.</summary>
    private static (IPAddress Address, int Port) ListenAddress(Uri? configured) =>
        configured is null
            ? (IPAddress.Loopback, 0)
            : (IPAddress.TryParse(configured.Host, out var ip) ? ip : IPAddress.Loopback, configured.IsDefaultPort ? 0 : configured.Port);

    private static Uri FirstAddress(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private static async Task GuardAsync(DashboardAuth auth, HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";
        if (path == "/login" || path == "/unauthorized" || path.StartsWithSegments("/assets"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        headers.CacheControl = "no-store";
        if (!auth.HasSession(context))
        {
            if (path.StartsWithSegments("/api"))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("open the dashboard through the login link the AppHost printed", context.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                context.Response.Redirect("/unauthorized");
            }

            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !DashboardAuth.IsSameOrigin(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("cross-origin request refused", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static IResult Login(DashboardAuth auth, HttpContext context, string? token)
    {
        if (!auth.IsValidToken(token))
        {
            return Results.Content(
                Html.Bare("Invalid login link", "<p>This login link is not valid for this AppHost run. Open the link the AppHost printed at start (<code>Dashboard: http://127.0.0.1:…/login?t=…</code>).</p>"),
                "text/html; charset=utf-8",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        auth.IssueCookie(context);
        return Results.Redirect("/resources");
    }

    private static string UnauthorizedPage() =>
        Html.Bare("Sign-in needed", "<p>The dashboard needs the login link the AppHost printed when it started, " +
            "for example <code>Dashboard: http://127.0.0.1:PORT/login?t=TOKEN</code>. Open that link in this browser.</p>");

    private static IResult Asset(string name)
    {
        var contentType = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        var stream = contentType is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream("MlAspire.Hosting.Dashboard.Assets." + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }
}
