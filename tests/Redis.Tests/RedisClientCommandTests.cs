using System.Text;

namespace MlAspire.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisClientCommandTests(RedisServerFixture fixture)
{
    private static string Key(string name) => $"test:{name}:{Guid.NewGuid():N}";

    [Theory]
    [InlineData(RedisProtocol.Resp2, 2)]
    [InlineData(RedisProtocol.Resp3, 3)]
    public async Task HandshakeAgreesOnTheRequestedProtocol(RedisProtocol protocol, int expected)
    {
        await using var client = await fixture.ConnectAsync(protocol);
        Assert.Equal(expected, client.ProtocolVersion);
        Assert.True(await client.PingAsync(TestTimeout.Token()) > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task StringCommandsWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var key = Key("str");
        Assert.True((await client.StringGetAsync(key, ct)).IsNull);
        Assert.True(await client.StringSetAsync(key, "v1", cancellationToken: ct));
        Assert.Equal("v1", (await client.StringGetAsync(key, ct)).ToString());
        Assert.False(await client.StringSetAsync(key, "v2", when: SetCondition.NotExists, cancellationToken: ct));
        Assert.True(await client.StringSetAsync(key, "v3", when: SetCondition.Exists, cancellationToken: ct));
        Assert.False(await client.StringSetAsync(Key("none"), "x", when: SetCondition.Exists, cancellationToken: ct));
        Assert.True(await client.StringSetAsync(key, "v4", TimeSpan.FromSeconds(100), SetCondition.Always, ct));
        var ttl = await client.KeyTimeToLiveAsync(key, ct);
        Assert.InRange(ttl!.Value.TotalSeconds, 90, 100);
        Assert.True(await client.StringSetAsync(Key("nx"), "x", TimeSpan.FromSeconds(5), SetCondition.NotExists, ct));

        var counter = Key("counter");
        Assert.Equal(1, await client.StringIncrementAsync(counter, cancellationToken: ct));
        Assert.Equal(11, await client.StringIncrementAsync(counter, 10, ct));
        Assert.Equal(8, await client.StringDecrementAsync(counter, 3, ct));

        var a = Key("a");
        var b = Key("b");
        await client.StringSetManyAsync([new(a, "1"), new(b, 2)], ct);
        var values = await client.StringGetManyAsync([a, Key("missing"), b], ct);
        Assert.Equal(["1", null, "2"], values.Select(v => (string?)v));
        Assert.Equal("1", (await client.StringGetDeleteAsync(a, ct)).ToString());
        Assert.False(await client.KeyExistsAsync(a, ct));
    }

    [Fact]
    public async Task BinaryValuesRoundTripByteForByte()
    {
        await using var client = await fixture.ConnectAsync();
        var key = Key("bin");
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[100_000]).ToArray();
        await client.StringSetAsync(key, new ReadOnlyMemory<byte>(payload), cancellationToken: TestTimeout.Token());
        var back = await client.StringGetAsync(key, TestTimeout.Token());
        Assert.Equal(payload, back.ToArray());
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task KeyCommandsWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var k1 = Key("k1");
        var k2 = Key("k2");
        await client.StringSetAsync(k1, "x", cancellationToken: ct);
        await client.StringSetAsync(k2, "y", cancellationToken: ct);
        Assert.Equal(2, await client.KeyExistsAsync([k1, k2, Key("none")], ct));
        Assert.Null(await client.KeyTimeToLiveAsync(k1, ct));
        Assert.True(await client.KeyExpireAsync(k1, TimeSpan.FromSeconds(50), ct));
        Assert.InRange((await client.KeyTimeToLiveAsync(k1, ct))!.Value.TotalSeconds, 40, 50);
        Assert.True(await client.KeyExpireAsync(k1, TimeSpan.FromMilliseconds(30_500), ct));
        Assert.InRange((await client.KeyPTimeToLiveAsync(k1, ct))!.Value.TotalMilliseconds, 29_000, 30_500);
        Assert.True(await client.KeyPExpireAsync(k2, 20_000, ct));
        Assert.InRange((await client.KeyPTimeToLiveAsync(k2, ct))!.Value.TotalMilliseconds, 19_000, 20_000);
        Assert.False(await client.KeyExpireAsync(Key("none"), TimeSpan.FromSeconds(1), ct));
        Assert.Null(await client.KeyTimeToLiveAsync(Key("none"), ct));
        Assert.Equal(2, await client.KeyDeleteAsync([k1, k2, Key("none")], ct));
        Assert.False(await client.KeyDeleteAsync(k1, ct));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task HashCommandsWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var key = Key("hash");
        Assert.True(await client.HashSetAsync(key, "state", "queued", ct));
        Assert.False(await client.HashSetAsync(key, "state", "running", ct));
        Assert.Equal(2, await client.HashSetAsync(key, [new("model", "resnet"), new("attempts", 0), new("state", "done")], ct));
        Assert.Equal("done", (await client.HashGetAsync(key, "state", ct)).ToString());
        Assert.True((await client.HashGetAsync(key, "nope", ct)).IsNull);
        Assert.Equal(3, await client.HashIncrementAsync(key, "attempts", 3, ct));
        var all = (await client.HashGetAllAsync(key, ct)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(new Dictionary<string, string> { ["state"] = "done", ["model"] = "resnet", ["attempts"] = "3" }, all);
        Assert.Equal(2, await client.HashDeleteAsync(key, ["model", "attempts", "nope"], ct));
        Assert.Single(await client.HashGetAllAsync(key, ct));
        Assert.Empty(await client.HashGetAllAsync(Key("none"), ct));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ListCommandsWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var key = Key("list");
        Assert.Equal(2, await client.ListRightPushAsync(key, ["b", "c"], ct));
        Assert.Equal(3, await client.ListLeftPushAsync(key, ["a"], ct));
        Assert.Equal(["a", "b", "c"], (await client.ListRangeAsync(key, cancellationToken: ct)).Select(v => v.ToString()));
        Assert.Equal(["b", "c"], (await client.ListRangeAsync(key, 1, -1, ct)).Select(v => v.ToString()));
        Assert.Equal(3, await client.ListLengthAsync(key, ct));
        Assert.Equal("a", (await client.ListLeftPopAsync(key, ct)).ToString());
        var popped = await client.ListBlockingLeftPopAsync([Key("empty"), key], TimeSpan.FromSeconds(1), ct);
        Assert.Equal(key, popped!.Value.Key);
        Assert.Equal("b", popped.Value.Value.ToString());
        Assert.Null(await client.ListBlockingLeftPopAsync([Key("empty")], TimeSpan.FromMilliseconds(100), ct));
        Assert.True((await client.ListLeftPopAsync(Key("empty"), ct)).IsNull);

        // BLPOP waits on its own connection until another caller pushes.
        var waiting = client.ListBlockingLeftPopAsync([Key("later")], TimeSpan.Zero, ct);
        Assert.False(waiting.IsCompleted);
    }

    [Fact]
    public async Task BlockingPopReturnsAnElementPushedWhileItWaits()
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync();
        var key = Key("bl");
        var waiting = client.ListBlockingLeftPopAsync([key], TimeSpan.FromSeconds(10), ct);
        await Task.Delay(100, ct);
        await client.ListRightPushAsync(key, ["job-1"], ct);
        var popped = await waiting.WaitAsync(ct);
        Assert.Equal("job-1", popped!.Value.Value.ToString());
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task SetCommandsWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var key = Key("set");
        Assert.Equal(3, await client.SetAddAsync(key, ["a", "b", "c"], ct));
        Assert.Equal(0, await client.SetAddAsync(key, ["a"], ct));
        Assert.True(await client.SetContainsAsync(key, "b", ct));
        Assert.False(await client.SetContainsAsync(key, "z", ct));
        Assert.Equal(1, await client.SetRemoveAsync(key, ["b", "z"], ct));
        Assert.Equal(["a", "c"], (await client.SetMembersAsync(key, ct)).Select(v => v.ToString()).Order());
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task StreamQueueCommandsWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var key = Key("stream");
        Assert.True(await client.StreamCreateGroupAsync(key, "workers", "0", cancellationToken: ct));
        Assert.False(await client.StreamCreateGroupAsync(key, "workers", "0", cancellationToken: ct));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await client.StreamAddAsync(key, [new("job", $"j{i}"), new("blob", new byte[] { 0, 1, (byte)i })], maxLength: 1000, cancellationToken: ct));
        }

        Assert.Equal(5, await client.StreamLengthAsync(key, ct));
        var range = await client.StreamRangeAsync(key, cancellationToken: ct);
        Assert.Equal(ids, range.Select(e => e.Id));
        Assert.Equal("j2", range[2]["job"].ToString());
        Assert.Equal(new byte[] { 0, 1, 2 }, range[2]["blob"].ToArray());
        Assert.Equal(2, (await client.StreamRangeAsync(key, ids[1], "+", 2, ct)).Count);

        var batch = await client.StreamReadGroupAsync(key, "workers", "w1", count: 3, cancellationToken: ct);
        Assert.Equal(ids.Take(3), batch.Select(e => e.Id));
        Assert.Equal("j0", batch[0]["job"].ToString());

        var summary = await client.StreamPendingAsync(key, "workers", ct);
        Assert.Equal(3, summary.Count);
        Assert.Equal(ids[0], summary.LowestId);
        Assert.Equal(ids[2], summary.HighestId);
        Assert.Equal([new KeyValuePair<string, long>("w1", 3)], summary.Consumers);

        var pending = await client.StreamPendingRangeAsync(key, "workers", 10, consumer: "w1", cancellationToken: ct);
        Assert.Equal(ids.Take(3), pending.Select(p => p.Id));
        Assert.All(pending, p => Assert.Equal(1, p.DeliveryCount));
        Assert.All(pending, p => Assert.Equal("w1", p.Consumer));
        Assert.Empty(await client.StreamPendingRangeAsync(key, "workers", 10, minIdle: TimeSpan.FromHours(1), cancellationToken: ct));

        Assert.Equal(1, await client.StreamAcknowledgeAsync(key, "workers", [ids[0]], ct));

        // Re-reading the consumer's own pending list with id 0.
        var again = await client.StreamReadGroupAsync(key, "workers", "w1", id: "0", cancellationToken: ct);
        Assert.Equal([ids[1], ids[2]], again.Select(e => e.Id));

        // XAUTOCLAIM hands w1's idle entries to w2; an entry deleted meanwhile is reported as deleted.
        Assert.Equal(1, await client.StreamDeleteAsync(key, [ids[2]], ct));
        await Task.Delay(20, ct);
        var claimed = await client.StreamAutoClaimAsync(key, "workers", "w2", TimeSpan.FromMilliseconds(10), cancellationToken: ct);
        Assert.Equal([ids[1]], claimed.Entries.Select(e => e.Id));
        Assert.Equal([ids[2]], claimed.DeletedIds);
        Assert.Equal("0-0", claimed.NextStartId);

        // XCLAIM JUSTID: w2 still holds ids[1] and says so (idle reset, no delivery counted); an entry that is not
        // pending (acknowledged ids[0]) is skipped, and a min-idle the entry has not reached claims nothing.
        var before = Assert.Single(await client.StreamPendingRangeAsync(key, "workers", 10, consumer: "w2", cancellationToken: ct));
        await Task.Delay(500, ct);
        var sinceClaim = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal([ids[1]], await client.StreamClaimIdsAsync(key, "workers", "w2", TimeSpan.Zero, [ids[0], ids[1]], ct));
        var held = Assert.Single(await client.StreamPendingRangeAsync(key, "workers", 10, consumer: "w2", cancellationToken: ct));

        // Reset, the idle time counts from the claim (so it is at most the time since the claim was sent, give or take
        // the server's whole milliseconds); not reset, it would also hold the 500 ms before. Measured this way, a
        // stalled machine cannot fail the check.
        Assert.True(held.Idle <= sinceClaim.Elapsed + TimeSpan.FromMilliseconds(2), $"idle {held.Idle} was not reset ({sinceClaim.Elapsed} since the claim)");
        Assert.Equal(before.DeliveryCount, held.DeliveryCount);
        Assert.Empty(await client.StreamClaimIdsAsync(key, "workers", "w9", TimeSpan.FromHours(1), [ids[1]], ct));
        Assert.Empty(await client.StreamClaimIdsAsync(key, "workers", "w9", TimeSpan.Zero, [], ct));

        var noAck = await client.StreamReadGroupAsync(key, "workers", "w3", noAck: true, cancellationToken: ct);
        Assert.Equal([ids[3], ids[4]], noAck.Select(e => e.Id));
        Assert.Equal(1, (await client.StreamPendingAsync(key, "workers", ct)).Count);
        Assert.Empty(await client.StreamReadGroupAsync(key, "workers", "w1", cancellationToken: ct));

        var info = await client.StreamInfoAsync(key, ct);
        Assert.Equal(4, info.Length);
        Assert.Equal(1, info.Groups);
        Assert.Equal(ids[4], info.LastGeneratedId);
        Assert.Equal(ids[0], info.FirstEntry!.Id);
        Assert.Equal("j4", info.LastEntry!["job"].ToString());

        var groups = await client.StreamGroupsInfoAsync(key, ct);
        var group = Assert.Single(groups);
        Assert.Equal("workers", group.Name);
        Assert.Equal(3, group.Consumers);
        Assert.Equal(1, group.Pending);
        Assert.Equal(ids[4], group.LastDeliveredId);

        Assert.Equal(2, await client.StreamTrimAsync(key, 2, cancellationToken: ct));
        Assert.Equal(2, await client.StreamLengthAsync(key, ct));
    }

    [Fact]
    public async Task StreamAddWithApproximateMaxLengthTrims()
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync();
        var key = Key("capped");
        for (var i = 0; i < 300; i++)
        {
            await client.StreamAddAsync(key, [new("i", i)], maxLength: 10, approximateTrim: true, cancellationToken: ct);
        }

        var length = await client.StreamLengthAsync(key, ct);
        Assert.InRange(length, 10, 200);
        for (var i = 0; i < 5; i++)
        {
            await client.StreamAddAsync(key, [new("i", i)], maxLength: 10, approximateTrim: false, cancellationToken: ct);
        }

        Assert.Equal(10, await client.StreamLengthAsync(key, ct));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ScriptsUseEvalShaAndFallBackOnNoScript(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        var key = Key("script");
        const string Lua = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), tonumber(ARGV[2]) + 1}";
        var direct = await client.ScriptEvaluateAsync(Lua, [key], ["a", 1], ct);
        Assert.Equal("a", direct.Items[0].AsString());
        Assert.Equal(2, direct.Items[1].AsInt64());

        await client.ExecuteAsync("SCRIPT", ["FLUSH"], ct);
        var script = new LoadedScript(Lua + " ");
        var viaFallback = await client.ScriptEvaluateAsync(script, [key], ["b", 41], ct);
        Assert.Equal(42, viaFallback.Items[1].AsInt64());
        Assert.Equal(1, (await client.ExecuteAsync("SCRIPT", ["EXISTS", script.Sha1], ct)).Items[0].AsInt64());

        var loaded = await client.ScriptLoadAsync("return ARGV[1]", ct);
        Assert.Equal("x", (await client.ScriptEvaluateAsync(loaded, args: ["x"], cancellationToken: ct)).AsString());
        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.ScriptEvaluateAsync("return redis.call('INCR', KEYS[1])", [key], cancellationToken: ct));
        Assert.Contains("not an integer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ServerCommandsAndRawEscapeHatchWork(RedisProtocol protocol)
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(protocol);
        Assert.Contains("redis_version:", await client.InfoAsync("server", ct), StringComparison.Ordinal);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
        Assert.Equal("hi", (await client.ExecuteAsync("ECHO", "hi")).AsString());
        var key = Key("raw");
        await client.ExecuteAsync("SET", key, Encoding.UTF8.GetBytes("bytes"));
        Assert.Equal("bytes", (await client.ExecuteAsync("GET", key)).AsString());
        Assert.Equal(0, await client.PublishAsync(Key("nobody"), "x", ct));
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync("LPUSH", key, "x"));
        Assert.Equal("WRONGTYPE", wrongType.Prefix);
        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync("NOSUCHCOMMAND"));
        Assert.Equal("ERR", unknown.Prefix);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Resp3TypesSurfaceThroughTheEscapeHatch()
    {
        var ct = TestTimeout.Token();
        await using var client = await fixture.ConnectAsync(RedisProtocol.Resp3);
        var hash = Key("h");
        await client.HashSetAsync(hash, "f", "v", ct);
        Assert.Equal(RedisResultType.Map, (await client.ExecuteAsync("HGETALL", hash)).Type);
        var set = Key("s");
        await client.SetAddAsync(set, ["m"], ct);
        Assert.Equal(RedisResultType.Set, (await client.ExecuteAsync("SMEMBERS", set)).Type);
        var verbatim = await client.ExecuteAsync("LOLWUT");
        Assert.Equal(RedisResultType.VerbatimString, verbatim.Type);
        Assert.Equal(RedisResultType.Double, (await client.ExecuteAsync("EVAL", "return redis.setresp(3) or {double=1.5}", 0)).Type);
    }

    [Fact]
    public async Task DefaultDatabaseIsSelected()
    {
        var ct = TestTimeout.Token();
        await using var db3 = await fixture.ConnectAsync(extra: ",defaultDatabase=3");
        await using var db0 = await fixture.ConnectAsync(RedisProtocol.Resp2);
        await using var db3Resp2 = await fixture.ConnectAsync(RedisProtocol.Resp2, ",defaultDatabase=3");
        var key = Key("db");
        await db3.StringSetAsync(key, "in-3", cancellationToken: ct);
        Assert.False(await db0.KeyExistsAsync(key, ct));
        Assert.Equal("in-3", (await db3Resp2.StringGetAsync(key, ct)).ToString());
        Assert.Contains(" db=3 ", (await db3.ExecuteAsync("CLIENT", "INFO")).AsString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentCallersEachGetTheirOwnReply()
    {
        var ct = TestTimeout.Token(60);
        await using var client = await fixture.ConnectAsync();
        var tasks = Enumerable.Range(0, 5000).Select(async i =>
        {
            var key = Key($"c{i}");
            await client.StringSetAsync(key, $"value-{i}", cancellationToken: ct);
            return (i, (await client.StringGetAsync(key, ct)).ToString());
        });
        foreach (var (i, value) in await Task.WhenAll(tasks))
        {
            Assert.Equal($"value-{i}", value);
        }
    }
}
