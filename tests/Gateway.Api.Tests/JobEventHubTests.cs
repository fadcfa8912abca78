using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Gateway.Api.Services;
using MlAspire.Queue;
using MlAspire.Redis;
using MlAspire.Tests.Infrastructure;

namespace MlAspire.Gateway.Api.Tests;

public sealed class JobEventHubTests
{
    [Fact]
    public async Task EveryWatchOfAJobGetsItsEventsUntilDisposed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var redis = await TestRedis.StartAsync();
        await using var client = await RedisClient.ConnectAsync(redis.ConnectionString);
        using var hub = new JobEventHub(client, NullLogger<JobEventHub>.Instance);
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
                await client.PublishAsync(QueueKeys.JobEvents, JobStatuses.EventMessage("job-1", "processing"), cts.Token);
                first = await all.NextAsync(TimeSpan.FromMilliseconds(100), cts.Token);
            }

            Assert.Equal("processing", first.Status);
            Assert.Null(await terminal.NextAsync(TimeSpan.FromMilliseconds(200), cts.Token)); // not woken by processing
            Assert.Null(await other.NextAsync(TimeSpan.FromMilliseconds(10), cts.Token));

            all.Dispose();
            await client.PublishAsync(QueueKeys.JobEvents, JobStatuses.EventMessage("job-1", "failed"), cts.Token);
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
        await using var client = await RedisClient.ConnectAsync(redis.ConnectionString);
        using var hub = new JobEventHub(client, NullLogger<JobEventHub>.Instance);
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
}
