using MlAspire.EndToEnd.Tests;
using MlAspire.Tests.Infrastructure;
using MlAspire.Tests.Shared;
using StackExchange.Redis;

namespace MlAspire.Resilience.Tests;

/// <summary>
/// The whole system as real processes on loopback, with the environment the AppHost gives them in run mode: a
/// password-protected redis-server with an append-only file fsynced on every write, Inference.Service on the repo's
/// models/, Preprocessing.Worker replicas and Gateway.Api with an API key. Each process can be killed (SIGKILL) and
/// started again on the same address; the peak RSS of every process that ran is kept for the record.
/// </summary>
public sealed class LoadedSystem : IAsyncDisposable
{
    /// <summary>The one valid API key; <see cref="WrongKey"/> is sent too, to check that neither ever reaches a log.</summary>
    public static readonly string ApiKey = "rk-" + Guid.NewGuid().ToString("N");

    public static readonly string WrongKey = "wrong-" + Guid.NewGuid().ToString("N");

    private readonly Dictionary<string, long> _peakRss = new(StringComparer.Ordinal);
    private readonly List<ServiceProcess> _processes = [];
    private readonly int _inferenceGrpcPort = Ports.Free();
    private readonly int _inferenceHttpPort = Ports.Free();
    private ServiceProcess? _inference;

    private LoadedSystem(TestRedis redis, ConnectionMultiplexer connection)
    {
        Redis = redis;
        Connection = connection;
        Client = connection.GetDatabase();
    }

    public TestRedis Redis { get; }

    /// <summary>The test's own multiplexer, for checks (queue depth, dead letters) and subscriptions.</summary>
    public ConnectionMultiplexer Connection { get; }

    public IDatabase Client { get; }

    public Uri Gateway { get; private set; } = null!;

    /// <summary>The workers started so far, in order.</summary>
    public IReadOnlyList<ServiceProcess> Workers => [.. _processes.Where(p => p.Name.StartsWith("worker", StringComparison.Ordinal))];

    public string InferenceGrpc => $"http://127.0.0.1:{_inferenceGrpcPort}";

    /// <summary>Every value that must never appear in any process's output.</summary>
    public IReadOnlyCollection<string> Secrets => [ApiKey, WrongKey, Redis.Password];

    /// <summary>Lines with a secret, summed over every process that ran.</summary>
    public int LeakedLines => _processes.Sum(p => p.LeakedLines);

    public static async Task<LoadedSystem> StartAsync()
    {
        var redis = await TestRedis.StartAsync(appendOnly: true);
        var system = new LoadedSystem(redis, await redis.ConnectAsync());
        await system.StartInferenceAsync();
        return system;
    }

    public async Task StartInferenceAsync()
    {
        _inference = Start("Inference.Service", "inference", RunModeEnvironment.Inference(InferenceGrpc, $"http://127.0.0.1:{_inferenceHttpPort}"));
        await _inference.WaitHealthyAsync($"http://127.0.0.1:{_inferenceHttpPort}/health", TimeSpan.FromSeconds(120));
    }

    public Task KillInferenceAsync() => KillAsync(_inference!);

    /// <summary>Starts a worker with the default settings (heartbeat, take-over, retries), less those given.</summary>
    public ServiceProcess StartWorker(string name, params (string Key, string Value)[] settings)
    {
        var environment = RunModeEnvironment.Worker(Redis.ConnectionString, InferenceGrpc, name).With(settings);
        return Start("Preprocessing.Worker", name, environment);
    }

    /// <summary>
    /// Starts the gateway (API key required, rate limit out of the way unless settings say otherwise, the model repository
    /// it may read model names from as the AppHost's run mode would give it).
    /// </summary>
    public async Task StartGatewayAsync(params (string Key, string Value)[] settings)
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var environment = RunModeEnvironment.Gateway(Redis.ConnectionString, InferenceGrpc, url, "load", ApiKey)
            .With([("Gateway__RateLimitPerSecond", "100000"), ("Gateway__RateLimitBurst", "100000"), ("Gateway__ModelRepository", RepoRoot.Models)])
            .With(settings);
        var gateway = Start("Gateway.Api", "gateway", environment);
        await gateway.WaitHealthyAsync(url + "/health", TimeSpan.FromSeconds(60));
        Gateway = new Uri(url);
    }

    /// <summary>SIGKILL, after noting the process's peak RSS.</summary>
    public async Task KillAsync(ServiceProcess process)
    {
        NotePeak(process.Name, process.PeakRssBytes());
        await process.KillAsync();
    }

    public async Task KillRedisAsync()
    {
        NotePeak("redis", ServiceProcess.ReadPeakRss(Redis.ProcessId));
        await Redis.KillAsync();
    }

    /// <summary>Jobs queued and not yet delivered (the group's lag) plus delivered and not finished (pending).</summary>
    public async Task<long> QueueDepthAsync()
    {
        // Before the first job (or a worker's start) creates the stream, nothing is queued: XINFO GROUPS on a missing
        // key is an error, not an empty answer.
        if (!await Client.KeyExistsAsync("mlaspire:jobs"))
        {
            return 0;
        }

        var groups = await Client.StreamGroupInfoAsync("mlaspire:jobs");
        var index = Array.FindIndex(groups, g => g.Name == "workers");
        // Without a known lag (a deleted entry lies ahead of the group), the stream's length: workers delete the entries
        // they acknowledge, so it holds exactly the queued and pending jobs.
        return index >= 0 && groups[index].Lag is { } lag ? lag + groups[index].PendingMessageCount : await Client.StreamLengthAsync("mlaspire:jobs");
    }

    /// <summary>Peak RSS in MiB of every process that ran (the largest over restarts of the same name).</summary>
    public IReadOnlyDictionary<string, double> PeakRssMiB()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            NotePeak(process.Name, process.PeakRssBytes());
        }

        if (Redis.ProcessId != 0)
        {
            NotePeak("redis", ServiceProcess.ReadPeakRss(Redis.ProcessId));
        }

        return _peakRss.ToDictionary(p => p.Key, p => Math.Round(p.Value / 1048576.0, 1), StringComparer.Ordinal);
    }

    /// <summary>The last output of every process, for failure messages.</summary>
    public string Output() => string.Join("\n", _processes.Select(p => $"--- {p.Name} ---\n{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await Connection.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private ServiceProcess Start(string project, string name, Dictionary<string, string> environment)
    {
        environment["Logging__LogLevel__MlAspire"] = "Debug";
        var process = ServiceProcess.Start(project, name, environment, Secrets);
        _processes.Add(process);
        return process;
    }

    private void NotePeak(string name, long bytes)
    {
        var key = name.StartsWith("worker", StringComparison.Ordinal) ? "worker (each)" : name;
        _peakRss[key] = Math.Max(_peakRss.GetValueOrDefault(key), bytes);
    }
}
