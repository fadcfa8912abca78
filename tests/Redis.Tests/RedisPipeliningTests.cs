using System.Diagnostics;

namespace MlAspire.Redis.Tests;

/// <summary>
/// Pipelining from one caller (commands issued without awaiting each, then awaited together): every command gets its
/// own reply, a cancelled command in the middle of a burst does not shift the others, and a continuation that blocks
/// on a later reply of the same burst (answered in the same read) does not stall the connection.
/// </summary>
public sealed class RedisPipeliningTests
{
    // Keeps redis-server busy (it serves no one else meanwhile), so that the commands sent during it are answered
    // together, in one write, and arrive in one read.
    private const string BusyScript = """
        local t = redis.call('TIME')
        local start = t[1] * 1000000 + t[2]
        while true do
          local now = redis.call('TIME')
          if now[1] * 1000000 + now[2] - start > tonumber(ARGV[1]) then return 1 end
        end
        """;

    [Fact]
    public async Task PipelinedBurstFromOneCallerGivesEveryCommandItsOwnReply()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        for (var round = 0; round < 20; round++)
        {
            var burst = Enumerable.Range(0, 200).Select(i => client.ExecuteAsync("ECHO", [$"r{round}-{i}"], ct)).ToArray();
            var replies = await Task.WhenAll(burst);
            for (var i = 0; i < replies.Length; i++)
            {
                Assert.Equal($"r{round}-{i}", replies[i].AsString());
            }
        }
    }

    [Fact]
    public async Task CancelledCommandInTheMiddleOfAPipelinedBurstDoesNotDesynchroniseTheOthers()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await using var other = await RedisClient.ConnectAsync(server.Endpoint, ct);

        // Before, a BLPOP that holds the connection until another client pushes and whose caller gives up after 50 ms,
        // after. (No server-side timeout: the BLPOP cannot answer before the cancellation, however late that fires.)
        var before = Enumerable.Range(0, 50).Select(i => client.ExecuteAsync("ECHO", [$"before-{i}"], ct)).ToArray();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var cancelled = client.ExecuteAsync("BLPOP", ["held-list", "0"], cancel.Token);
        var after = Enumerable.Range(0, 50).Select(i => client.ExecuteAsync("ECHO", [$"after-{i}"], ct)).ToArray();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.All(after, reply => Assert.False(reply.IsCompleted, "the server holds these behind the blocked BLPOP"));
        await other.ListRightPushAsync("held-list", ["late"], ct);
        var beforeReplies = await Task.WhenAll(before);
        var afterReplies = await Task.WhenAll(after);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"before-{i}", beforeReplies[i].AsString());
            Assert.Equal($"after-{i}", afterReplies[i].AsString());
        }

        Assert.Equal("next", (await client.ExecuteAsync("ECHO", ["next"], ct)).AsString());
    }

    [Fact]
    public async Task CommandCancelledWhileItsReplyIsInFlightLeavesTheRestOfTheBurstInOrder()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await using var busy = await RedisClient.ConnectAsync(server.Endpoint, ct);

        var stall = busy.ExecuteAsync("EVAL", [BusyScript, 0, 300_000], ct);
        await Task.Delay(50, ct);
        using var cancel = new CancellationTokenSource();
        var burst = Enumerable.Range(0, 40)
            .Select(i => client.ExecuteAsync("ECHO", [$"e{i}"], i == 20 ? cancel.Token : ct))
            .ToArray();
        await cancel.CancelAsync();
        await stall;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => burst[20]);
        for (var i = 0; i < burst.Length; i++)
        {
            if (i != 20)
            {
                Assert.Equal($"e{i}", (await burst[i]).AsString());
            }
        }

        Assert.Equal("next", (await client.ExecuteAsync("ECHO", ["next"], ct)).AsString());
    }

    [Fact]
    public async Task ContinuationThatBlocksOnALaterReplyOfTheSameReadDoesNotDeadlock()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},syncTimeout=30000", ct);
        await using var busy = await RedisClient.ConnectAsync(server.Endpoint, ct);

        var stall = busy.ExecuteAsync("EVAL", [BusyScript, 0, 300_000], ct);
        await Task.Delay(50, ct);
        var burst = Enumerable.Range(0, 20).Select(i => client.ExecuteAsync("ECHO", [$"e{i}"], ct)).ToArray();

        // Sync-over-async in a continuation that runs where the first reply is completed, waiting for the last one,
        // which the server answers in the same write, so it arrives in the same read.
        var stopwatch = Stopwatch.StartNew();
        var blocked = burst[0].ContinueWith(
            _ => burst[^1].GetAwaiter().GetResult().AsString(),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        await stall;

        Assert.Equal("e19", await blocked.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        for (var i = 0; i < burst.Length; i++)
        {
            Assert.Equal($"e{i}", (await burst[i]).AsString());
        }
    }
}
