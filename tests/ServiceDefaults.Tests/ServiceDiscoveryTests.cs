using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace MlAspire.ServiceDefaults.Tests;

/// <summary>
/// The <c>services__&lt;service&gt;__&lt;endpoint&gt;__&lt;i&gt;</c> settings as every service reads them through
/// AddServiceDefaults: the forms a caller addresses a service by, and the start-up check of the values.
/// </summary>
public sealed class ServiceDiscoveryTests
{
    private static async Task<IReadOnlyList<string>> ResolveAsync(Dictionary<string, string?> settings, string serviceName, CancellationToken cancellationToken)
    {
        var builder = LoopbackApp.CreateBuilder(settings);
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        var resolver = app.Services.GetRequiredService<ServiceEndpointResolver>();
        var endpoints = await resolver.GetEndpointsAsync(serviceName, cancellationToken);
        return [.. endpoints.Endpoints.Select(e => e.ToString()!)];
    }

    [Fact]
    public async Task TheEndpointFormPicksTheNamedEndpoint()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var settings = new Dictionary<string, string?>
        {
            ["services:inference:grpc:0"] = "http://127.0.0.1:9000",
            ["services:inference:http:0"] = "http://127.0.0.1:9001",
        };

        Assert.Equal(["http://127.0.0.1:9000/"], await ResolveAsync(settings, "http://_grpc.inference", cts.Token));
        Assert.Equal(["http://127.0.0.1:9001/"], await ResolveAsync(settings, "http://inference", cts.Token));
    }

    [Fact]
    public async Task HttpsPlusHttpPrefersHttpsAndFallsBackToHttp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var both = await ResolveAsync(new()
        {
            ["services:gateway:http:0"] = "http://127.0.0.1:8080",
            ["services:gateway:https:0"] = "https://127.0.0.1:8443",
        }, "https+http://gateway", cts.Token);
        var httpOnly = await ResolveAsync(new() { ["services:gateway:http:0"] = "http://127.0.0.1:8080" }, "https+http://gateway", cts.Token);

        Assert.Equal("https://127.0.0.1:8443/", both[0]);
        Assert.Equal(["http://127.0.0.1:8080/"], httpOnly);
    }

    [Theory]
    [InlineData("localhost:5123", "not an absolute URL")]
    [InlineData("tcp://localhost:5123", "only http and https")]
    [InlineData("http://localhost:5123/v1", "must not carry a path")]
    [InlineData("", "empty")]
    public async Task HostStartFailsNamingTheKeyOfAMalformedValue(string value, string expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?>
        {
            ["services:inference:grpc:0"] = value,
            ["services:inference:http:0"] = "http://127.0.0.1:9001",
        });
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));

        var failure = Assert.Single(ex.Failures);
        Assert.Contains("services:inference:grpc:0", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStartFailsNamingANonNumericIndex()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["services:inference:grpc:first"] = "http://localhost:1" });
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));

        Assert.Contains("services:inference:grpc:first", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpClientRequestsByServiceNameRoundRobinAcrossReplicas()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var replicaA = await StartReplicaAsync("a", cts.Token);
        await using var replicaB = await StartReplicaAsync("b", cts.Token);

        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?>
        {
            ["services:backend:http:0"] = replicaA.Address.ToString(),
            ["services:backend:http:1"] = replicaB.Address.ToString(),
        });
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("backend", c => c.BaseAddress = new Uri("http://backend"));
        await using var host = builder.Build();
        await host.StartAsync(cts.Token);
        using var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("backend");

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetStringAsync("/whoami", cts.Token));
        }

        // Each replica in turn (which one comes first is the selector's choice).
        Assert.Equal(["a", "b"], answers.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(answers.Take(2), answers.Skip(2));
    }

    private static async Task<LoopbackApp> StartReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var app = LoopbackApp.CreateBuilder().Build();
        app.MapGet("/whoami", () => Results.Text(name));
        return await LoopbackApp.StartAsync(app, cancellationToken);
    }
}
