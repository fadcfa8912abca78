using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlAspire.AppHost.Tests;

/// <summary>
/// The real AppHost (AppHost/Program.cs) started once for the run-mode tests through Aspire.Hosting.Testing, with the
/// Aspire dashboard on, Redis as the local redis-server (the default run mode), and the services' telemetry passing
/// through an <see cref="OtlpTee"/> on its way to the dashboard. Ready when every resource and replica is Running and
/// healthy. Where the machine lacks redis-server, nothing starts and <see cref="SkipReason"/> says why.
/// </summary>
public sealed class RunningSystem : IAsyncLifetime
{
    /// <summary>What every test waits for: each resource and how many replicas of it.</summary>
    public static readonly IReadOnlyDictionary<string, int> Replicas = new Dictionary<string, int>
    {
        ["redis"] = 1, ["inference"] = 1, ["preprocessing"] = 2, ["gateway"] = 1,
    };

    private DistributedApplication? _app;
    private OtlpTee? _telemetry;
    private string? _state;

    public string? SkipReason { get; private set; }

    public DistributedApplication App => _app ?? throw new InvalidOperationException(SkipReason);

    public OtlpTee Telemetry => _telemetry ?? throw new InvalidOperationException(SkipReason);

    /// <summary>Every replica's last snapshot when all became healthy, by resource id.</summary>
    public IReadOnlyDictionary<string, ResourceEvent> Snapshots { get; private set; } = new Dictionary<string, ResourceEvent>();

    public string StateDirectory => _state!;

    public Uri Dashboard { get; private set; } = null!;

    public string BrowserToken { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public Uri Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (ExternalTool.Find("redis-server") is null)
        {
            SkipReason = "The AppHost runs Redis as a local redis-server in run mode; install Debian's redis-server (eng/setup.sh) to run this test.";
            return;
        }

        // Generous: DCP builds nothing, but the services start on two cores shared with the other test assemblies.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        _state = Directory.CreateTempSubdirectory("mlaspire-apphost-tests-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--AppHost:StateDirectory=" + _state],
            (options, _) =>
            {
                options.DisableDashboard = false;
                options.AllowUnsecuredTransport = true;
            },
            timeout.Token);

        // Aspire.Hosting.Testing gives the dashboard (a resource of its own, behind DCP's proxies) free ports; the
        // services' telemetry goes to the dashboard's OTLP/HTTP endpoint through the tee.
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = "http://127.0.0.1:0";
        builder.Configuration["AppHost:BrowserToken"] = BrowserToken;

        _telemetry = await OtlpTee.StartAsync(() => DashboardEndpoint("otlp-http"), timeout.Token);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = _telemetry.Endpoint.ToString();
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            });
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        Snapshots = await WaitUntilEveryReplicaIsHealthyAsync(_app, timeout.Token);
        Gateway = _app.GetEndpoint("gateway", "http");
        Dashboard = DashboardEndpoint("http") ?? throw new InvalidOperationException("The dashboard has no http endpoint.");
    }

    private Uri? DashboardEndpoint(string name)
    {
        var dashboard = _app?.Services.GetRequiredService<DistributedApplicationModel>().Resources.SingleOrDefault(r => r.Name == "aspire-dashboard");
        var endpoint = dashboard is IResourceWithEndpoints withEndpoints ? withEndpoints.GetEndpoint(name) : null;
        return endpoint is { Exists: true, IsAllocated: true } ? new Uri(endpoint.Url) : null;
    }

    private static async Task<Dictionary<string, ResourceEvent>> WaitUntilEveryReplicaIsHealthyAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, ResourceEvent>();
        try
        {
            await foreach (var update in app.Services.GetRequiredService<ResourceNotificationService>().WatchAsync(cancellationToken))
            {
                latest[update.ResourceId] = update;
                if (Replicas.All(r => latest.Values.Count(e => e.Resource.Name == r.Key && IsHealthy(e)) >= r.Value))
                {
                    return latest;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        var states = string.Join(", ", latest.Select(e => $"{e.Key}: {e.Value.Snapshot.State?.Text} {e.Value.Snapshot.HealthStatus}"));
        throw new TimeoutException($"Not every resource became Running and healthy in time: {states}");
    }

    public static bool IsHealthy(ResourceEvent update) =>
        update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }

        if (_state is not null)
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
