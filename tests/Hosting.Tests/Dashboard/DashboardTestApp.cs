using System.Net;
using System.Text.Json;

namespace MlAspire.Hosting.Tests.Dashboard;

/// <summary>A running application with the dashboard on, and an HTTP client that logged in through the printed link.</summary>
internal sealed class DashboardTestApp : IAsyncDisposable
{
    private DashboardTestApp(DistributedApplication app, StringWriter output)
    {
        App = app;
        Output = output;
        Cookies = new CookieContainer();
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, CookieContainer = Cookies })
        {
            BaseAddress = app.Dashboard!.Url,
            Timeout = TimeSpan.FromSeconds(30),
        };
        Anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = app.Dashboard!.Url,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public DistributedApplication App { get; }

    public StringWriter Output { get; }

    public CookieContainer Cookies { get; }

    /// <summary>Carries the session cookie after <see cref="LoginAsync"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>Never sends cookies.</summary>
    public HttpClient Anonymous { get; }

    public Uri Url => App.Dashboard!.Url;

    public static async Task<DashboardTestApp> StartAsync(Action<IDistributedApplicationBuilder> configure, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var builder = TestApp.CreateBuilder(TextWriter.Synchronized(output), args);
        builder.Options.EnableDashboard = true;
        configure(builder);
        var app = builder.Build();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new DashboardTestApp(app, output);
    }

    /// <summary>Follows the login link exactly as printed on the AppHost's output.</summary>
    public async Task LoginAsync(CancellationToken cancellationToken)
    {
        var printed = Output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Dashboard: ", StringComparison.Ordinal))["Dashboard: ".Length..];
        using var response = await Client.GetAsync(new Uri(printed), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public async Task<HttpResponseMessage> PostActionAsync(string replicaId, string action, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/replicas/{replicaId}/{action}");
        request.Headers.Add("Origin", Url.GetLeftPart(UriPartial.Authority));
        return await Client.SendAsync(request, cancellationToken);
    }

    public async Task<JsonElement> GetResourcesAsync(CancellationToken cancellationToken)
    {
        var json = await Client.GetStringAsync(new Uri("/api/resources", UriKind.Relative), cancellationToken);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await App.DisposeAsync();
    }
}
