using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlAspire.Redis.Tests;

public sealed class RedisResilienceTests
{
    [Fact]
    public async Task ServerRestartDuringPipelinedBurstFailsInFlightCleanlyAndNoReplyGoesToTheWrongCaller()
    {
        var ct = TestTimeout.Token(60);
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},syncTimeout=10000,reconnectMaxDelay=200", ct);
        var unexpected = new ConcurrentQueue<Exception>();
        var connectionFailures = 0;
        var wrongReplies = new ConcurrentQueue<string>();
        var successesAfterRestart = 0;
        var successes = 0;
        var restarted = false;
        using var stop = new CancellationTokenSource();

        async Task Worker(int worker)
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                // A pipelined batch: 50 commands issued together, each with a value only its caller knows.
                var batch = Enumerable.Range(0, 50).Select(async _ =>
                {
                    var id = $"w{worker}-{Interlocked.Increment(ref n)}";
                    var afterRestart = Volatile.Read(ref restarted);
                    try
                    {
                        var echoed = (await client.ExecuteAsync("ECHO", id)).AsString();
                        if (echoed != id)
                        {
                            wrongReplies.Enqueue($"{id} got {echoed}");
                        }

                        await client.StringSetAsync(id, id, cancellationToken: ct);
                        var value = await client.StringGetAsync(id, ct);
                        if (!value.IsNull && value.ToString() != id)
                        {
                            wrongReplies.Enqueue($"{id} got {value}");
                        }

                        Interlocked.Increment(ref successes);
                        if (afterRestart)
                        {
                            Interlocked.Increment(ref successesAfterRestart);
                        }
                    }
                    catch (RedisConnectionException)
                    {
                        Interlocked.Increment(ref connectionFailures);
                    }
                    catch (Exception ex)
                    {
                        unexpected.Enqueue(ex);
                    }
                });
                await Task.WhenAll(batch);
            }
        }

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(() => Worker(w), ct)).ToArray();
        await WaitUntil(() => Volatile.Read(ref successes) > 2000, ct);

        // A BLPOP on the multiplexed connection holds every command pipelined behind it in flight at the kill.
        var blocker = client.ExecuteAsync("BLPOP", "never-pushed", "5");
        await Task.Delay(100, ct);
        await server.KillAsync();
        await Assert.ThrowsAsync<RedisConnectionException>(() => blocker);
        await Task.Delay(200, ct);
        await server.RestartAsync();
        Volatile.Write(ref restarted, true);
        while (Volatile.Read(ref successesAfterRestart) < 2000)
        {
            Assert.False(ct.IsCancellationRequested, "no commands succeeded after the restart");
            await Task.Delay(50, ct);
        }

        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(ct);

        Assert.Empty(unexpected);
        Assert.Empty(wrongReplies);
        Assert.True(connectionFailures > 0, $"commands in flight when the server died must fail with RedisConnectionException");
        Assert.True(client.IsConnected);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task CommandsIssuedWhileDisconnectedWaitForTheReconnect()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},syncTimeout=10000,reconnectMaxDelay=100", ct);
        await server.KillAsync();
        await WaitUntil(() => !client.IsConnected, ct);
        var waiting = client.StringSetAsync("k", "v", cancellationToken: ct);
        await Task.Delay(200, ct);
        Assert.False(waiting.IsCompleted);
        await server.RestartAsync();
        Assert.True(await waiting.WaitAsync(ct));
        Assert.Equal("v", (await client.StringGetAsync("k", ct)).ToString());
    }

    [Fact]
    public async Task FailFastPolicyRejectsCommandsWhileDisconnected()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},backlogPolicy=failFast,reconnectMaxDelay=100", ct);
        await server.KillAsync();
        await WaitUntil(() => !client.IsConnected, ct);
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.StringGetAsync("k", ct));
        Assert.Contains("failFast", ex.Message, StringComparison.Ordinal);
        await server.RestartAsync();
        await WaitUntil(() => client.IsConnected, ct);
        Assert.True((await client.StringGetAsync("k", ct)).IsNull);
    }

    [Fact]
    public async Task ConnectToAClosedPortFailsWithConnectionExceptionOrTimesOutWhenNotAborting()
    {
        var ct = TestTimeout.Token();
        var port = FreePort();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync($"127.0.0.1:{port},connectTimeout=1000", ct));
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);

        await using var lazy = await RedisClient.ConnectAsync($"127.0.0.1:{port},abortConnect=false,syncTimeout=300", ct);
        await Assert.ThrowsAsync<RedisTimeoutException>(() => lazy.PingAsync(ct));
    }

    [Fact]
    public async Task CancelledCommandDoesNotDesynchroniseTheConnection()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await using var other = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await client.StringSetAsync("mine", "my-value", cancellationToken: ct);

        // BLPOP sent through the escape hatch occupies the multiplexed connection until another client pushes (no
        // server-side timeout, so it cannot answer before the cancellation, however late that fires); cancel the caller.
        using var cancel = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.ExecuteAsync("BLPOP", ["held-list", "0"], cancel.Token));
        await other.ListRightPushAsync("held-list", ["late"], ct);
        var next = await client.StringGetAsync("mine", ct);
        Assert.Equal("my-value", next.ToString());
        Assert.Equal("x", (await client.ExecuteAsync("ECHO", "x")).AsString());
    }

    [Fact]
    public async Task TimedOutCommandThrowsTimeoutAndItsLateReplyIsDiscarded()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},syncTimeout=1000", ct);
        await using var other = await RedisClient.ConnectAsync(server.Endpoint, ct);

        // A BLPOP without a server-side timeout on the shared connection: its reply comes only once the list gets an
        // element, so the client's timeout fires first however late a loaded machine runs the timeout sweep (a
        // server-side timeout of 0.6 s once answered before the sweep had run).
        var ex = await Assert.ThrowsAsync<RedisTimeoutException>(() => client.ExecuteAsync("BLPOP", "late-list", "0"));
        Assert.Contains("BLPOP", ex.Message, StringComparison.Ordinal);

        // Now the late reply comes, and the next command on the same connection queues behind it: it must get its own
        // reply, not the popped element. The empty list shows the BLPOP really was answered (and its reply dropped).
        await other.ListRightPushAsync("late-list", ["late-reply"], ct);
        Assert.Equal("after", (await client.ExecuteAsync("ECHO", "after")).AsString());
        Assert.Equal(0, await other.ListLengthAsync("late-list", ct));
    }

    [Fact]
    public async Task BlockingStreamReadDoesNotStallOtherCommands()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await client.StreamCreateGroupAsync("jobs", "g", cancellationToken: ct);
        // Block far longer than the 400 commands can take even on a loaded machine, then release the read with an
        // entry: it must still have been waiting, and must receive exactly that entry.
        var blocked = client.StreamReadGroupAsync("jobs", "g", "c1", count: 10, block: TimeSpan.FromSeconds(30), cancellationToken: ct);
        for (var i = 0; i < 200; i++)
        {
            await client.StringSetAsync($"k{i}", i, cancellationToken: ct);
            Assert.Equal(i, (long)await client.StringGetAsync($"k{i}", ct));
        }

        Assert.False(blocked.IsCompleted, "the blocking read must still be waiting while 400 commands completed");
        var id = await client.StreamAddAsync("jobs", [new("job", "42")], cancellationToken: ct);
        var entry = Assert.Single(await blocked.WaitAsync(ct));
        Assert.Equal(id, entry.Id);

        // A short block with nothing to read ends empty.
        Assert.Empty(await client.StreamReadGroupAsync("jobs", "g", "c1", block: TimeSpan.FromMilliseconds(200), cancellationToken: ct));
    }

    [Fact]
    public async Task CancellingABlockingReadClosesItsDedicatedConnectionOnly()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Endpoint, ct);
        await client.StreamCreateGroupAsync("jobs", "g", cancellationToken: ct);
        using var cancel = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.StreamReadGroupAsync("jobs", "g", "c1", block: TimeSpan.FromSeconds(30), cancellationToken: cancel.Token));
        Assert.Equal("ok", (await client.ExecuteAsync("ECHO", "ok")).AsString());
        var id = await client.StreamAddAsync("jobs", [new("n", 1)], cancellationToken: ct);
        var read = await client.StreamReadGroupAsync("jobs", "g", "c2", block: TimeSpan.FromSeconds(1), cancellationToken: ct);
        Assert.Equal(id, Assert.Single(read).Id);
    }

    [Fact]
    public async Task MalformedReplyFromFakeServerRaisesProtocolExceptionAndReconnects()
    {
        var ct = TestTimeout.Token();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;

        async Task ServeAsync()
        {
            while (!ct.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(ct);
                var connection = Interlocked.Increment(ref accepted);
                var buffer = new byte[4096];
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer, ct);
                    if (read == 0)
                    {
                        break;
                    }

                    // The first connection answers garbage; later ones answer PING properly.
                    var reply = connection == 1 ? "?not-resp\r\n"u8.ToArray() : Encoding.ASCII.GetBytes("+PONG\r\n");
                    await socket.SendAsync(reply, ct);
                }
            }
        }

        var serving = Task.Run(ServeAsync, ct);
        await using var client = await RedisClient.ConnectAsync($"127.0.0.1:{port},protocol=resp2,reconnectMaxDelay=100", ct);
        var ex = await Assert.ThrowsAsync<RedisProtocolException>(() => client.PingAsync(ct));
        Assert.Contains("Unknown RESP type byte", ex.Message, StringComparison.Ordinal);
        await WaitUntil(() => client.IsConnected && Volatile.Read(ref accepted) >= 2, ct);
        Assert.True(await client.PingAsync(ct) > TimeSpan.Zero);
        listener.Stop();
        _ = serving;
    }

    [Theory]
    [InlineData("$abc\r\nxyz\r\n", false, "Invalid length")]
    [InlineData("$3\r\nabcXY", false, "not followed by CRLF")]
    [InlineData("*-5\r\n", false, "negative count")]
    [InlineData("\0\r\n", false, "Unknown RESP type byte")]
    [InlineData("*2\r\n:1\r\n", true, "truncated")]
    [InlineData("$10\r\nabc", true, "truncated")]
    public async Task MalformedOrTruncatedReplyFromAFakeServerIsAProtocolExceptionAndTheClientReconnects(string reply, bool hangUp, string messagePart)
    {
        var ct = TestTimeout.Token();
        await using var server = FakeRespServer.Start(connection => connection == 1 ? (Encoding.ASCII.GetBytes(reply), hangUp) : ("+PONG\r\n"u8.ToArray(), false));
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},protocol=resp2,syncTimeout=5000,reconnectMaxDelay=100", ct);

        var ex = await Assert.ThrowsAsync<RedisProtocolException>(() => client.PingAsync(ct));
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
        await WaitUntil(() => client.IsConnected && server.Connections >= 2, ct);
        Assert.True(await client.PingAsync(ct) > TimeSpan.Zero);
    }

    [Fact]
    public async Task ReplyThatStopsMidwayOnAnOpenConnectionTimesOutInsteadOfHanging()
    {
        var ct = TestTimeout.Token();
        await using var server = FakeRespServer.Start(_ => ("$10\r\nabc"u8.ToArray(), false));
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},protocol=resp2,syncTimeout=300", ct);

        var ex = await Assert.ThrowsAsync<RedisTimeoutException>(() => client.PingAsync(ct));
        Assert.Contains("PING", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PubSubSurvivesClientKillAndServerRestart()
    {
        var ct = TestTimeout.Token(60);
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},reconnectMaxDelay=200", ct);
        await using var subscription = await client.Subscriber.SubscribeAsync("events", ct);
        var viaHandler = new ConcurrentQueue<RedisChannelMessage>();
        await using var patternSubscription = await client.Subscriber.PatternSubscribeAsync("job:*", viaHandler.Enqueue, ct);

        Assert.Equal(1, await client.PublishAsync("events", "before", ct));
        Assert.Equal("before", (await subscription.Reader.ReadAsync(ct)).Message.ToString());
        await client.PublishAsync("job:7", "done", ct);
        await WaitUntil(() => viaHandler.Any(m => m.Channel == "job:7" && m.Pattern == "job:*" && m.Message.ToString() == "done"), ct);

        // Kill only the pub/sub connection.
        await client.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await WaitUntil(async () => await client.PublishAsync("events", "probe", ct) == 1, ct);
        await client.PublishAsync("events", "after-kill", ct);
        await ReadUntil(subscription, "after-kill", ct);

        // Restart the whole server: both connections come back and the subscriber resubscribes.
        await server.KillAsync();
        await server.RestartAsync();
        await WaitUntil(async () =>
        {
            try
            {
                return await client.PublishAsync("events", "probe", ct) == 1 && await client.PublishAsync("job:8", "probe", ct) == 1;
            }
            catch (RedisException)
            {
                return false;
            }
        }, ct);
        await client.PublishAsync("events", "after-restart", ct);
        await ReadUntil(subscription, "after-restart", ct);
        await client.PublishAsync("job:9", "restarted", ct);
        await WaitUntil(() => viaHandler.Any(m => m.Channel == "job:9" && m.Message.ToString() == "restarted"), ct);
    }

    [Fact]
    public async Task UnsubscribedChannelsStopReceiving()
    {
        var ct = TestTimeout.Token();
        await using var server = await RedisServer.StartAsync();
        await using var client = await RedisClient.ConnectAsync($"{server.Endpoint},protocol=resp2", ct);
        var first = await client.Subscriber.SubscribeAsync("c", ct);
        await using var second = await client.Subscriber.SubscribeAsync("c", ct);
        Assert.Equal(1, await client.PublishAsync("c", "one", ct));
        Assert.Equal("one", (await first.Reader.ReadAsync(ct)).Message.ToString());
        Assert.Equal("one", (await second.Reader.ReadAsync(ct)).Message.ToString());
        await first.DisposeAsync();
        Assert.Equal(1, await client.PublishAsync("c", "two", ct));
        Assert.Equal("two", (await second.Reader.ReadAsync(ct)).Message.ToString());
        Assert.False(await first.Reader.WaitToReadAsync(ct));
        await second.DisposeAsync();
        Assert.Equal(0, await client.PublishAsync("c", "three", ct));
    }

    private static async Task ReadUntil(RedisSubscription subscription, string expected, CancellationToken ct)
    {
        while ((await subscription.Reader.ReadAsync(ct)).Message.ToString() != expected)
        {
        }
    }

    private static Task WaitUntil(Func<bool> condition, CancellationToken ct) => WaitUntil(() => Task.FromResult(condition()), ct);

    private static async Task WaitUntil(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(20, ct);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
