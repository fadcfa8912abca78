using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MlAspire.Queue;
using MlAspire.Tests.Infrastructure;
using MlAspire.Tests.Shared;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Tests;

/// <summary>A real Redis, the test inference server, and a way to run the worker in-process against them.</summary>
public sealed class WorkerHarness : IAsyncDisposable
{
    private readonly List<WebApplicationFactory<Program>> _workers = [];

    private WorkerHarness(TestRedis redis, FakeInferenceServer inference, ConnectionMultiplexer connection)
    {
        Redis = redis;
        Inference = inference;
        Connection = connection;
        Client = connection.GetDatabase();
    }

    public TestRedis Redis { get; }

    public FakeInferenceServer Inference { get; }

    /// <summary>The test's own multiplexer (subscriptions, server commands).</summary>
    public ConnectionMultiplexer Connection { get; }

    public IDatabase Client { get; }

    public static async Task<WorkerHarness> StartAsync()
    {
        var redis = await TestRedis.StartAsync();
        var inference = await FakeInferenceServer.StartAsync();
        return new WorkerHarness(redis, inference, await redis.ConnectAsync());
    }

    /// <summary>Starts a worker (its consume loop starts with the host).</summary>
    public WebApplicationFactory<Program> StartWorker(params (string Key, string Value)[] settings)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:redis", Redis.ConnectionString);
            builder.UseSetting("services:inference:grpc:0", Inference.Address);
            builder.UseSetting("Worker:RetryBaseDelay", "00:00:00.010");
            builder.UseSetting("Worker:ReadBlock", "00:00:00.200");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _workers.Add(factory);
        _ = factory.Server; // starts the host
        return factory;
    }

    public static byte[] Digit() =>
        File.ReadAllBytes(Directory.GetFiles(Path.Combine(RepoRoot.Models, "digits", "testdata"), "*.png").Order(StringComparer.Ordinal).First());

    /// <summary>Queues jobs the way the gateway does (same script, which also rings the idle workers).</summary>
    public Task<string[]> EnqueueAsync(params byte[][] images) => EnqueueTracedAsync("", images);

    /// <summary>Queues jobs the way the gateway does, carrying <paramref name="traceParent"/> ("" for none).</summary>
    public async Task<string[]> EnqueueTracedAsync(string traceParent, params byte[][] images)
    {
        var ids = images.Select(_ => Guid.CreateVersion7().ToString("N")).ToArray();
        var keys = new List<RedisKey> { QueueKeys.Jobs, "" };
        keys.AddRange(ids.Select(id => (RedisKey)QueueKeys.Job(id)));
        keys.AddRange(ids.Select(id => (RedisKey)QueueKeys.Image(id)));
        var args = new List<RedisValue> { 600, 600, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "digits", 3, 100_000, ids.Length };
        args.AddRange(ids.Select(id => (RedisValue)id));
        args.AddRange(images.Select(i => (RedisValue)i));
        args.Add(traceParent);
        args.Add(10_000);
        args.Add(QueueKeys.WorkersGroup);
        args.Add(QueueKeys.JobsQueued);
        var reply = await Client.ScriptEvaluateAsync(JobScripts.Enqueue, [.. keys], [.. args]);
        Assert.Equal(1, (long)reply[0]);
        return ids;
    }

    public async Task<string?> StatusAsync(string id) => (string?)await Client.HashGetAsync(QueueKeys.Job(id), JobFields.Status);

    /// <summary>Waits until every job is terminal; fails the test after <paramref name="seconds"/>.</summary>
    public async Task WaitTerminalAsync(IEnumerable<string> ids, int seconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        foreach (var id in ids)
        {
            while (!JobStatuses.IsTerminal(await StatusAsync(id)))
            {
                await Task.Delay(20, cts.Token);
            }
        }
    }

    /// <summary>Entries delivered but not acknowledged (0 while no worker has created the group yet).</summary>
    public async Task<long> PendingAsync()
    {
        try
        {
            return (await Client.StreamPendingAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup)).PendingMessageCount;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Connection.DisposeAsync();
        await Inference.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
