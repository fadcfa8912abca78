using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Gateway.Api.Services;
using MlAspire.Queue;
using MlAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Tests;

public sealed class JobEventHubTests
{
    private static readonly RedisChannel s_events = RedisChannel.Literal(QueueKeys.JobEvents);

    [Fact]
    public async Task EveryWatchOfAJobGetsItsEventsUntilDisposed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var redis = await TestRedis.StartAsync();
        await using var connection = await redis.ConnectAsync();
        var client = connection.GetDatabase();
        using var hub = new JobEventHub(connection, NullLogger<JobEventHub>.Instance);
        await hub.StartAsync(cts.Token);
        try
        {
            var all = hub.Watch("job-1", terminalOnly: false);
            var terminal = hub.Watch("job-1", terminalOnly: true);
            using var other = hub.Watch("job-2", terminalOnly: false);

            // The hub subscribes in the background: publish until the first event arrives.
            JobEvent? first = null;
            while (first is null)
            {
                await client.PublishAsync(s_events, JobStatuses.EventMessage("job-1", "processing"));
                first = await all.NextAsync(TimeSpan.FromMilliseconds(100), cts.Token);
            }

            Assert.Equal("processing", first.Status);
            Assert.Null(await terminal.NextAsync(TimeSpan.FromMilliseconds(200), cts.Token)); // not woken by processing
            Assert.Null(await other.NextAsync(TimeSpan.FromMilliseconds(10), cts.Token));

            all.Dispose();
            await client.PublishAsync(s_events, JobStatuses.EventMessage("job-1", "failed"));
            Assert.Equal("failed", (await terminal.NextAsync(TimeSpan.FromSeconds(10), cts.Token))?.Status);
            Assert.Equal(2, hub.WatchedJobs);
            terminal.Dispose();
            Assert.Equal(1, hub.WatchedJobs);
            terminal.Dispose(); // a second dispose changes nothing
            Assert.Equal(1, hub.WatchedJobs);
        }
        finally
        {
            await hub.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task WatchesOpenedAndClosedConcurrentlyOnOneJobLeaveNothingBehind()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var connection = await redis.ConnectAsync();
        using var hub = new JobEventHub(connection, NullLogger<JobEventHub>.Instance);
        using var kept = hub.Watch("job", terminalOnly: false);

        // Each thread keeps two watches open at a time, so adds and removals race on the same job's array.
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 3_000; i++)
            {
                using var a = hub.Watch("job", terminalOnly: false);
                using var b = hub.Watch("job", terminalOnly: true);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(1, hub.WatchedJobs);
        kept.Dispose();
        Assert.Equal(0, hub.WatchedJobs);
    }

    [Fact]
    public async Task EventsReachTheWatchesAgainAfterRedisRestarts()
    {
        // The gateway subscribes once; after Redis is killed and restarted it relies on the library to subscribe again.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var redis = await TestRedis.StartAsync();
        await using var connection = await redis.ConnectAsync();
        using var hub = new JobEventHub(connection, NullLogger<JobEventHub>.Instance);
        await hub.StartAsync(cts.Token);
        try
        {
            using var watch = hub.Watch("job-1", terminalOnly: false);
            Assert.Equal("processing", (await PublishUntilReceivedAsync(connection, watch, "processing", cts.Token)).Status);

            await redis.KillAsync();
            await redis.RestartAsync();

            Assert.Equal("succeeded", (await PublishUntilReceivedAsync(connection, watch, "succeeded", cts.Token)).Status);
        }
        finally
        {
            await hub.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Publishes the event (from a connection of its own) until the watch sees it; the subscription may still be on its way.</summary>
    private static async Task<JobEvent> PublishUntilReceivedAsync(IConnectionMultiplexer connection, JobWatch watch, string status, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await connection.GetDatabase().PublishAsync(s_events, JobStatuses.EventMessage(watch.JobId, status));
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                // Still reconnecting.
            }

            if (await watch.NextAsync(TimeSpan.FromMilliseconds(200), cancellationToken) is { } received)
            {
                return received;
            }
        }
    }
}
