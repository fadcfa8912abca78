using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MlAspire.ServiceDefaults.Tests;

/// <summary>
/// The <c>Resilience</c> settings bound onto the standard resilience handler that every HttpClient gets: each test
/// changes one setting away from its default and sees the handler follow it.
/// </summary>
public sealed class ResilienceTests
{
    private static async Task<(LoopbackApp Server, Func<int> Count)> StartServerAsync(
        Func<int, Task<IResult>> respond, CancellationToken cancellationToken)
    {
        var calls = 0;
        var app = LoopbackApp.CreateBuilder().Build();
        app.MapGet("/work", () => respond(Interlocked.Increment(ref calls)));
        return (await LoopbackApp.StartAsync(app, cancellationToken), () => Volatile.Read(ref calls));
    }

    private static async Task<(Microsoft.AspNetCore.Builder.WebApplication Host, HttpClient Client)> CreateClientAsync(
        Uri target, Dictionary<string, string?> settings)
    {
        var builder = LoopbackApp.CreateBuilder(settings);
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("target", c => c.BaseAddress = target);
        var host = builder.Build();
        await Task.CompletedTask;
        return (host, host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("target"));
    }

    [Fact]
    public async Task TransientFailuresAreRetriedUntilSuccess()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, count) = await StartServerAsync(
            n => Task.FromResult(n <= 2 ? Results.StatusCode(503) : Results.Text("ok")), cts.Token);
        await using var _ = server;
        var (host, client) = await CreateClientAsync(server.Address, new() { ["Resilience:RetryBaseDelay"] = "00:00:00.010" });
        await using var __ = host;

        var body = await client.GetStringAsync("/work", cts.Token);

        Assert.Equal("ok", body);
        Assert.Equal(3, count());
    }

    [Fact]
    public async Task TheBreakerOpensAfterRepeatedFailuresAndStopsCallingTheServer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, count) = await StartServerAsync(_ => Task.FromResult(Results.StatusCode(500)), cts.Token);
        await using var _ = server;
        var (host, client) = await CreateClientAsync(server.Address, new()
        {
            ["Resilience:MaxRetryAttempts"] = "0",
            ["Resilience:BreakerMinimumThroughput"] = "2",
            ["Resilience:BreakerFailureRatio"] = "0.5",
            ["Resilience:BreakDuration"] = "00:01:00",
        });
        await using var __ = host;

        for (var i = 0; i < 2; i++)
        {
            using var failed = await client.GetAsync("/work", cts.Token);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync("/work", cts.Token));
        Assert.Equal(2, count());
    }

    [Fact]
    public async Task ASlowAttemptTimesOutAndIsRetried()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, count) = await StartServerAsync(async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.Text("late");
        }, cts.Token);
        await using var _ = server;
        // The attempt timeout leaves a loaded machine time to deliver each attempt (1 s; the server answers after 5 s),
        // and the server may see the second attempt a moment after the client gave up on it.
        var (host, client) = await CreateClientAsync(server.Address, new()
        {
            ["Resilience:AttemptTimeout"] = "00:00:01",
            ["Resilience:MaxRetryAttempts"] = "1",
            ["Resilience:RetryBaseDelay"] = "00:00:00.010",
        });
        await using var __ = host;

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetAsync("/work", cts.Token));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (count() < 2 && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.Equal(2, count());
    }

    [Fact]
    public async Task InvalidResilienceSettingsFailAtStartNamingTheSetting()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Resilience:MaxRetryAttempts"] = "-1" });
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));

        Assert.Contains("MaxRetryAttempts", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:20", "00:00:10", "00:01:00", "Resilience:TotalTimeout")]
    [InlineData("00:00:20", "00:00:30", "00:00:30", "Resilience:BreakerSamplingDuration")]
    public async Task SettingsTheHandlerWouldRejectFailAtStartNamingTheKeys(string attempt, string total, string sampling, string key)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?>
        {
            ["Resilience:AttemptTimeout"] = attempt,
            ["Resilience:TotalTimeout"] = total,
            ["Resilience:BreakerSamplingDuration"] = sampling,
        });
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));

        Assert.Contains(key, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
