using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.AppHost.Tests;

/// <summary>The real AppHost in run mode: every resource and replica healthy, Redis a local redis-server that keeps
/// its password off the command line, held-out digits classified through the gateway, and one request one trace
/// across the gateway, a worker and the inference service.</summary>
[Collection(RunningSystemCollection.Name)]
public sealed partial class RunModeTests(RunningSystem system)
{
    [GeneratedRegex(@"^localhost:\d+,password=[^,]+$")]
    private static partial Regex RedisConnectionString();

    [GeneratedRegex(@"^http://localhost:\d+$")]
    private static partial Regex LocalUrl();

    [SkippableFact]
    public void EveryResourceAndReplicaIsRunningAndHealthyAndWiredAsAddRedisAndWithReferenceWireThem()
    {
        Skip.If(system.SkipReason is not null, system.SkipReason);
        foreach (var (resource, replicas) in RunningSystem.Replicas)
        {
            Assert.Equal(replicas, system.Snapshots.Values.Count(e => e.Resource.Name == resource && RunningSystem.IsHealthy(e)));
        }

        var redis = system.Snapshots.Values.Single(e => e.Resource.Name == "redis");
        Assert.Equal("LocalRedisServerResource", redis.Resource.GetType().Name);

        // What the services were given: the connection string shape AddRedis gives, and the inference endpoints.
        var gateway = system.Snapshots.Values.Single(e => e.Resource.Name == "gateway").Snapshot.EnvironmentVariables
            .Where(v => v.IsFromSpec).ToDictionary(v => v.Name, v => v.Value ?? "");
        Assert.Matches(RedisConnectionString(), gateway["ConnectionStrings__redis"]);
        Assert.Matches(LocalUrl(), gateway["services__inference__grpc__0"]);
        Assert.Matches(LocalUrl(), gateway["services__inference__http__0"]);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheLocalRedisServerKeepsItsPasswordInAnOwnerOnlyFileAndOffItsCommandLine()
    {
        Skip.If(system.SkipReason is not null, system.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var password = await system.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == "redis-password").GetValueAsync(timeout.Token);
        Assert.False(string.IsNullOrEmpty(password));

        var config = Path.Combine(system.StateDirectory, "redis", "redis.conf");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        Assert.Contains("appendonly yes", await File.ReadAllTextAsync(config, timeout.Token), StringComparison.Ordinal);

        // The dashboard shows a resource's command line and arguments among its properties: none it shows unmasked may
        // hold the password (the connection string is one it masks, as for every resource with one).
        var redis = system.Snapshots.Values.Single(e => e.Resource.Name == "redis").Snapshot;
        Assert.Contains(redis.Properties, p => p.Name == "resource.appArgs" && p.Value is IEnumerable<string> args && args.Contains(config));
        Assert.Contains(redis.Properties, p => p.Name == "resource.connectionString" && p.IsSensitive);
        Assert.DoesNotContain(redis.Properties.Where(p => !p.IsSensitive), p => JsonSerializer.Serialize(p.Value).Contains(password, StringComparison.Ordinal));

        // Nor the process's own command line, as ps shows it.
        var commandLines = Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Where(c => c.Contains("redis", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(commandLines, c => c.Contains(password, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task HeldOutDigitsSentThroughTheGatewayAreClassified()
    {
        Skip.If(system.SkipReason is not null, system.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var http = new HttpClient { BaseAddress = system.Gateway };
        var digits = Directory.GetFiles(Path.Combine(AppHostRunner.RepoRoot, "models", "digits", "testdata"), "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.True(digits.Count >= 100, $"expected the held-out set, found {digits.Count} images");
        var correct = 0;
        foreach (var png in digits)
        {
            using var response = await ClassifyAsync(http, png, traceParent: null, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            var expected = Path.GetFileNameWithoutExtension(png).Split('_')[1];
            correct += body.RootElement.GetProperty("predictions")[0].GetProperty("label").GetString() == expected ? 1 : 0;
        }

        Assert.True(correct >= digits.Count * 0.97, $"{correct}/{digits.Count} digits classified correctly through the gateway");
    }

    [SkippableFact]
    public async Task OneRequestIsOneTraceAcrossTheGatewayAWorkerAndTheInferenceService()
    {
        Skip.If(system.SkipReason is not null, system.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = system.Gateway };
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var png = Path.Combine(AppHostRunner.RepoRoot, "models", "digits", "testdata", "000_4.png");
        using (var response = await ClassifyAsync(http, png, $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        string[] services = ["gateway", "preprocessing", "inference"];
        List<SeenSpan> trace = [];
        while (!services.All(s => trace.Any(span => span.Service == s)))
        {
            await Task.Delay(250, timeout.Token);
            trace = system.Telemetry.Spans.Where(s => s.TraceId == traceId).ToList();
        }

        // One tree: every span but the gateway's first has its parent in the same trace (the caller's span aside).
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var roots = trace.Where(s => !ids.Contains(s.ParentSpanId)).ToList();
        Assert.True(roots.Count == 1 && roots[0].Service == "gateway",
            $"expected one root span, from the gateway; got: {string.Join(", ", roots.Select(r => $"{r.Service}/{r.Name}"))}");
    }

    internal static async Task<HttpResponseMessage> ClassifyAsync(HttpClient http, string png, string? traceParent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/models/digits:classify", UriKind.Relative))
        {
            Content = new ByteArrayContent(await File.ReadAllBytesAsync(png, cancellationToken)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        return await http.SendAsync(request, cancellationToken);
    }
}
