using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlAspire.ServiceDefaults.Tests;

public sealed class HealthEndpointsTests
{
    private static async Task<LoopbackApp> StartAsync(HealthStatus dependencyStatus, CancellationToken cancellationToken)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck(
            "dependency",
            () => new HealthCheckResult(dependencyStatus, "dependency is " + dependencyStatus, new InvalidOperationException("secret-host:6379")));
        var app = builder.Build();
        app.MapDefaultEndpoints();
        return await LoopbackApp.StartAsync(app, cancellationToken);
    }

    [Fact]
    public async Task HealthReturns503AndAliveReturns200WhenAReadinessCheckFails()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await StartAsync(HealthStatus.Unhealthy, cts.Token);
        using var client = new HttpClient { BaseAddress = server.Address };

        using var health = await client.GetAsync("/health", cts.Token);
        using var alive = await client.GetAsync("/alive", cts.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(cts.Token));
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "dependency" && c.GetProperty("status").GetString() == "Unhealthy");
        Assert.DoesNotContain("secret-host", body.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AliveListsOnlyLiveChecks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await StartAsync(HealthStatus.Unhealthy, cts.Token);
        using var client = new HttpClient { BaseAddress = server.Address };

        using var body = JsonDocument.Parse(await client.GetStringAsync("/alive", cts.Token));

        var names = body.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["self"], names);
    }

    [Theory]
    [InlineData(HealthStatus.Healthy, HttpStatusCode.OK)]
    [InlineData(HealthStatus.Degraded, HttpStatusCode.OK)]
    [InlineData(HealthStatus.Unhealthy, HttpStatusCode.ServiceUnavailable)]
    public async Task HealthStatusCodeFollowsTheWorstCheck(HealthStatus status, HttpStatusCode expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await StartAsync(status, cts.Token);
        using var client = new HttpClient { BaseAddress = server.Address };

        using var response = await client.GetAsync("/health", cts.Token);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
