namespace MlAspire.Redis.Tests;

/// <summary>
/// <see cref="RedisBatch"/> against a real redis-server: typed results, a failing command in the middle, reuse,
/// cancellation after the write, the connection dying under a batch, and batches mixed with ordinary commands.
/// </summary>
public sealed class RedisBatchTests
{
    [Fact]
    public async Task EveryCommandOfABatchGetsItsOwnTypedResultAndAllAreCompleteWhenSendReturns()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await client.StringSetAsync("existing", "old", cancellationToken: ct);

        var batch = client.CreateBatch();
        var set = batch.StringSetAsync("a", "1");
        var setNx = batch.StringSetAsync("existing", "new", when: SetCondition.NotExists);
        var get = batch.StringGetAsync("a");
        var missing = batch.StringGetAsync("missing");
        var hset = batch.HashSetAsync("h", "f", "v");
        var hsetAgain = batch.HashSetAsync("h", "f", "w");
        var hget = batch.HashGetAsync("h", "f");
        var deleted = batch.KeyDeleteAsync("existing");
        var deletedAgain = batch.KeyDeleteAsync("existing");
        var raw = batch.ExecuteAsync("INCRBY", "counter", 5);
        Assert.Equal(10, batch.Count);
        Assert.False(set.IsCompleted); // nothing leaves before SendAsync

        await batch.SendAsync(ct);

        Task[] all = [set, setNx, get, missing, hset, hsetAgain, hget, deleted, deletedAgain, raw];
        Assert.All(all, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.True(await set);
        Assert.False(await setNx);
        Assert.Equal("1", (await get).ToString());
        Assert.True((await missing).IsNull);
        Assert.True(await hset);
        Assert.False(await hsetAgain);
        Assert.Equal("w", (await hget).ToString());
        Assert.True(await deleted);
        Assert.False(await deletedAgain);
        Assert.Equal(5, (await raw).AsInt64());
    }

    [Fact]
    public async Task ManyBatchesFromManyCallersMixedWithSingleCommandsNeverCrossReplies()
    {
        var ct = TestTimeout.Token(60);
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);

        async Task Batches(int caller)
        {
            for (var round = 0; round < 50; round++)
            {
                var batch = client.CreateBatch();
                var echoes = Enumerable.Range(0, 16).Select(i => batch.ExecuteAsync("ECHO", $"{caller}-{round}-{i}")).ToArray();
                await batch.SendAsync(ct);
                for (var i = 0; i < echoes.Length; i++)
                {
                    Assert.Equal($"{caller}-{round}-{i}", (await echoes[i]).AsString());
                }
            }
        }

        async Task Singles(int caller)
        {
            for (var i = 0; i < 400; i++)
            {
                Assert.Equal($"single-{caller}-{i}", (await client.ExecuteAsync("ECHO", [$"single-{caller}-{i}"], ct)).AsString());
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(() => Batches(c), ct))
            .Concat(Enumerable.Range(0, 4).Select(c => Task.Run(() => Singles(c), ct))));
    }

    [Fact]
    public async Task AnErrorReplyFailsOnlyItsCommandAndSendThrowsIt()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await client.HashSetAsync("a-hash", "f", "v", ct);

        var batch = client.CreateBatch();
        var before = batch.StringSetAsync("k", "v");
        var wrongType = batch.StringGetAsync("a-hash");
        var after = batch.StringGetAsync("k");

        var thrown = await Assert.ThrowsAsync<RedisServerException>(() => batch.SendAsync(ct));
        Assert.Contains("WRONGTYPE", thrown.Message, StringComparison.Ordinal);
        Assert.True(await before);
        Assert.Same(thrown, await Assert.ThrowsAsync<RedisServerException>(() => wrongType));
        Assert.Equal("v", (await after).ToString());
    }

    [Fact]
    public async Task ABatchIsSentOnceAndAnEmptyOneCompletesAtOnce()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);

        await client.CreateBatch().SendAsync(ct);
        var batch = client.CreateBatch();
        _ = batch.ExecuteAsync("PING");
        await batch.SendAsync(ct);
        Assert.Throws<InvalidOperationException>(() => { _ = batch.SendAsync(ct); });
        Assert.Throws<InvalidOperationException>(() => { _ = batch.StringGetAsync("k"); });
        Assert.Throws<ArgumentException>(() => { _ = client.CreateBatch().ExecuteAsync(" "); });
    }

    [Fact]
    public async Task CancellingAfterTheWriteCancelsTheWaitingCommandsAndLeavesTheConnectionInStep()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);

        var batch = client.CreateBatch();
        var first = batch.ExecuteAsync("ECHO", "first");
        var blocking = batch.ExecuteAsync("BLPOP", "never-pushed", "0.3"); // holds the connection for 300 ms
        var last = batch.ExecuteAsync("ECHO", "last");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch.SendAsync(cancel.Token));
        Assert.Equal("first", (await first).AsString());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocking);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => last);

        // The late replies of the cancelled commands are consumed, not handed to the next caller.
        Assert.Equal("next", (await client.ExecuteAsync("ECHO", ["next"], ct)).AsString());
        Assert.Equal("again", (await client.ExecuteAsync("ECHO", ["again"], ct)).AsString());
    }

    [Fact]
    public async Task CancelledBeforeSendingNothingIsWrittenAndEveryCommandIsCancelled()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);

        var batch = client.CreateBatch();
        var set = batch.StringSetAsync("never", "written");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch.SendAsync(new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => set);
        Assert.True((await client.StringGetAsync("never", ct)).IsNull);
    }

    [Fact]
    public async Task ServerDyingUnderABatchFailsItsWaitingCommandsAndTheNextBatchSucceedsAfterTheReconnect()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},syncTimeout=10000,reconnectMaxDelay=100", ct);

        var batch = client.CreateBatch();
        var echo = batch.ExecuteAsync("ECHO", "before the kill");
        var blocking = batch.ExecuteAsync("BLPOP", "never-pushed", "5");
        var behind = batch.StringGetAsync("k");
        var sending = batch.SendAsync(ct);
        Assert.Equal("before the kill", (await echo.WaitAsync(ct)).AsString());
        await server.KillAsync();

        await Assert.ThrowsAsync<RedisConnectionException>(() => sending);
        await Assert.ThrowsAsync<RedisConnectionException>(() => blocking);
        await Assert.ThrowsAsync<RedisConnectionException>(() => behind);

        await server.RestartAsync();
        var next = client.CreateBatch(); // written once the client is connected again
        var set = next.StringSetAsync("k", "after");
        var get = next.StringGetAsync("k");
        await next.SendAsync(ct);
        Assert.True(await set);
        Assert.Equal("after", (await get).ToString());
    }

    [Fact]
    public async Task FailFastBatchWhileDisconnectedFailsEveryCommandWithoutWritingAny()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},backlogPolicy=failFast,reconnectMaxDelay=100", ct);
        await server.KillAsync();
        while (client.IsConnected)
        {
            await Task.Delay(20, ct);
        }

        var batch = client.CreateBatch();
        var set = batch.StringSetAsync("k", "v");
        var thrown = await Assert.ThrowsAsync<RedisConnectionException>(() => batch.SendAsync(ct));
        Assert.Contains("failFast", thrown.Message, StringComparison.Ordinal);
        Assert.Same(thrown, await Assert.ThrowsAsync<RedisConnectionException>(() => set));
    }

    [Fact]
    public async Task ACommandWithoutAReplyInTimeFailsWithATimeoutAndTheOthersKeepTheirReplies()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},syncTimeout=1000", ct);
        await using var other = await RedisClient.ConnectAsync(server.Endpoint, ct);

        var batch = client.CreateBatch();
        var echo = batch.ExecuteAsync("ECHO", "in time");
        // No server-side timeout: this reply comes only when the list gets an element, always after the client's.
        var slow = batch.ExecuteAsync("BLPOP", "pushed-late", "0");
        await Assert.ThrowsAsync<RedisTimeoutException>(() => batch.SendAsync(ct));
        Assert.Equal("in time", (await echo).AsString());
        await Assert.ThrowsAsync<RedisTimeoutException>(() => slow);

        // The late BLPOP reply arrives (the list is emptied by it) and is dropped; the next command gets its own.
        await other.ListRightPushAsync("pushed-late", ["late"], ct);
        Assert.Equal("next", (await client.ExecuteAsync("ECHO", ["next"], ct)).AsString());
        Assert.Equal(0, await other.ListLengthAsync("pushed-late", ct));
    }
}
