using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlAspire.ServiceDefaults.Discovery;

namespace MlAspire.ServiceDefaults.Tests;

public sealed class ServiceDiscoveryTests
{
    private static ServiceDiscoveryOptions Load(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new ServiceDiscoveryOptions();
        options.Load(configuration.GetSection("services"));
        return options;
    }

    private static ServiceEndpointResolver Resolver(Dictionary<string, string?> settings) =>
        new(Options.Create(Load(settings)));

    [Fact]
    public void ParsesASingleEndpoint()
    {
        var resolver = Resolver(new() { ["services:inference:grpc:0"] = "http://localhost:5123" });

        var endpoints = resolver.GetEndpoints("inference", "grpc");

        Assert.Equal([new Uri("http://localhost:5123")], endpoints);
    }

    [Fact]
    public void ParsesSeveralReplicasInIndexOrder()
    {
        var resolver = Resolver(new()
        {
            ["services:worker:http:2"] = "http://127.0.0.1:7002",
            ["services:worker:http:0"] = "http://127.0.0.1:7000",
            ["services:worker:http:1"] = "http://127.0.0.1:7001",
            ["services:worker:https:0"] = "https://127.0.0.1:7443",
        });

        Assert.Equal(
            ["http://127.0.0.1:7000/", "http://127.0.0.1:7001/", "http://127.0.0.1:7002/"],
            resolver.GetEndpoints("worker", "http").Select(u => u.ToString()));
        Assert.Equal(["https://127.0.0.1:7443/"], resolver.GetEndpoints("worker", "https").Select(u => u.ToString()));
        // No endpoint named: http is the default.
        Assert.Equal(3, resolver.GetEndpoints("worker").Count);
    }

    [Fact]
    public void AcceptsTheUnindexedForm()
    {
        var resolver = Resolver(new() { ["services:cache:http"] = "http://10.0.0.5:80" });

        Assert.Equal([new Uri("http://10.0.0.5:80")], resolver.GetEndpoints("cache"));
    }

    [Theory]
    [InlineData("localhost:5123", "not an absolute URL")]
    [InlineData("tcp://localhost:5123", "only http and https")]
    [InlineData("http://localhost:5123/v1", "must not carry a path")]
    [InlineData("", "empty")]
    public void RejectsMalformedValuesNamingTheKey(string value, string expected)
    {
        var options = Load(new() { ["services:inference:grpc:0"] = value });

        var error = Assert.Single(options.Errors);
        Assert.Contains("services:inference:grpc:0", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsANonNumericIndex()
    {
        var options = Load(new() { ["services:inference:grpc:first"] = "http://localhost:1" });

        Assert.Contains("services:inference:grpc:first", Assert.Single(options.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStartFailsWithTheKeyOfAMalformedValue()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["services:inference:grpc:0"] = "not a url" });
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));

        Assert.Contains("services:inference:grpc:0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownServiceGivesAClearError()
    {
        var resolver = Resolver(new() { ["services:inference:grpc:0"] = "http://localhost:5123" });

        var ex = Assert.Throws<InvalidOperationException>(() => resolver.GetEndpoints("gateway"));

        Assert.Contains("'gateway'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'inference'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolvesNamedEndpointsAndSchemePreferences()
    {
        var resolver = Resolver(new()
        {
            ["services:inference:grpc:0"] = "http://127.0.0.1:9000",
            ["services:gateway:http:0"] = "http://127.0.0.1:8080",
            ["services:gateway:https:0"] = "https://127.0.0.1:8443",
        });

        Assert.True(resolver.TryResolve(new Uri("http://_grpc.inference/inference.GRPCInferenceService/ModelInfer"), out var grpc));
        Assert.Equal("http://127.0.0.1:9000/inference.GRPCInferenceService/ModelInfer", grpc.ToString());
        Assert.True(resolver.TryResolve(new Uri("https+http://gateway/v1/models?x=1"), out var preferred));
        Assert.Equal("https://127.0.0.1:8443/v1/models?x=1", preferred.ToString());
        Assert.False(resolver.TryResolve(new Uri("http://example.invalid/"), out var untouched));
        Assert.Equal("http://example.invalid/", untouched.ToString());
    }

    [Fact]
    public async Task HttpClientRequestsRoundRobinAcrossReplicas()
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
        using var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("backend");

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetStringAsync("/whoami", cts.Token));
        }

        Assert.Equal(["a", "b", "a", "b"], answers);
    }

    private static async Task<LoopbackApp> StartReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var app = LoopbackApp.CreateBuilder().Build();
        app.MapGet("/whoami", () => Results.Text(name));
        return await LoopbackApp.StartAsync(app, cancellationToken);
    }
}
