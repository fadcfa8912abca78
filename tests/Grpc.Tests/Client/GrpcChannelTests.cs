using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MlAspire.Grpc.Tests.Server;

namespace MlAspire.Grpc.Tests.Client;

public sealed class GrpcChannelTests
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromSeconds(30));

    private static Task<GrpcTestHost> StartProbeAsync(ProbeService probe) =>
        GrpcTestHost.StartAsync(s => s.AddGrpc(), e => e.MapGrpc(probe.Build()));

    private static BytesValue Bytes(int n) => new() { Value = ByteString.CopyFrom(new byte[n]) };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task ConnectionRefusedIsUnavailable()
    {
        using var cts = Timeout();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(1), new CallOptions(CancellationToken: cts.Token)));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Theory]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(500, StatusCode.Unknown)]
    public async Task NonGrpcHttpStatusMapsPerSpec(int httpStatus, StatusCode expected)
    {
        using var cts = Timeout();
        await using var host = await GrpcTestHost.StartAsync(_ => { },
            e => e.MapPost("/test.Probe/Echo", (HttpContext c) => c.Response.StatusCode = httpStatus));
        using var channel = host.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(1), new CallOptions(CancellationToken: cts.Token)));
        Assert.Equal(expected, ex.StatusCode);
    }

    [Fact]
    public async Task RoundRobinSpreadsCallsOverEveryAddress()
    {
        using var cts = Timeout();
        ProbeService a = new(), b = new();
        await using var hostA = await StartProbeAsync(a);
        await using var hostB = await StartProbeAsync(b);
        using var channel = GrpcChannel.ForAddresses([hostA.Address, hostB.Address]);
        for (var i = 0; i < 10; i++)
        {
            await channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(1), new CallOptions(CancellationToken: cts.Token));
        }

        Assert.Equal(5, a.EchoCalls);
        Assert.Equal(5, b.EchoCalls);
    }

    [Fact]
    public async Task AddressThatFailedToConnectIsSkippedDuringBackoff()
    {
        using var cts = Timeout();
        var probe = new ProbeService();
        await using var host = await StartProbeAsync(probe);
        using var channel = GrpcChannel.ForAddresses([new Uri($"http://127.0.0.1:{FreePort()}"), host.Address],
            new GrpcChannelOptions { ConnectFailureBackoff = TimeSpan.FromMinutes(5) });
        var failures = 0;
        for (var i = 0; i < 10; i++)
        {
            try
            {
                await channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(1), new CallOptions(CancellationToken: cts.Token));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                failures++;
            }
        }

        Assert.Equal(1, failures);
        Assert.Equal(9, probe.EchoCalls);
    }

    [Fact]
    public async Task DeadlineFailsTheCallLocallyWithDeadlineExceeded()
    {
        using var cts = Timeout();
        var probe = new ProbeService();
        await using var host = await StartProbeAsync(probe);
        using var channel = host.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.CallInvoker.UnaryAsync(ProbeService.Wait, new Empty(),
            CallOptions.FromTimeout(TimeSpan.FromMilliseconds(300), cts.Token)));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(await probe.WaitCancelled.Task.WaitAsync(cts.Token));
    }

    [Fact]
    public async Task DeadlineInThePastFailsWithoutSending()
    {
        using var cts = Timeout();
        var probe = new ProbeService();
        await using var host = await StartProbeAsync(probe);
        using var channel = host.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(1),
            new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1), CancellationToken: cts.Token)));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(0, probe.EchoCalls);
    }

    [Fact]
    public async Task ResponseOverTheClientReceiveLimitIsResourceExhausted()
    {
        using var cts = Timeout();
        await using var host = await StartProbeAsync(new ProbeService());
        using var channel = host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.CallInvoker.UnaryAsync(ProbeService.Big,
            new Int32Value { Value = 2000 }, new CallOptions(CancellationToken: cts.Token)));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        var ok = await channel.CallInvoker.UnaryAsync(ProbeService.Big, new Int32Value { Value = 900 },
            new CallOptions(CancellationToken: cts.Token));
        Assert.Equal(900, ok.Value.Length);
    }

    [Fact]
    public async Task RequestOverTheClientSendLimitIsResourceExhaustedWithoutSending()
    {
        using var cts = Timeout();
        var probe = new ProbeService();
        await using var host = await StartProbeAsync(probe);
        using var channel = host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 100 });
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(200), new CallOptions(CancellationToken: cts.Token)));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(0, probe.EchoCalls);
    }

    [Fact]
    public async Task GzipRequestsAndResponsesRoundTrip()
    {
        using var cts = Timeout();
        await using var host = await GrpcTestHost.StartAsync(
            s => s.AddGrpc(o => o.ResponseCompressionAlgorithm = "gzip"), e => e.MapGrpc(new ProbeService().Build()));
        using var channel = host.CreateChannel(new GrpcChannelOptions { SendCompression = "gzip" });
        var payload = new BytesValue { Value = ByteString.CopyFrom(Enumerable.Range(0, 50_000).Select(i => (byte)(i % 7)).ToArray()) };
        var response = await channel.CallInvoker.UnaryAsync(ProbeService.Echo, payload, new CallOptions(CancellationToken: cts.Token));
        Assert.Equal(payload, response);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TraceparentIsSentExactlyOnceAndContinuesTheCallersTrace(bool aspNetCoreActivityToo)
    {
        using var cts = Timeout();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MlAspire.Grpc.Client" or "MlAspire.Grpc.Server" or "Test"
                || (aspNetCoreActivityToo && s.Name == "Microsoft.AspNetCore"),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) { spans.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Test");
        await using var host = await StartProbeAsync(new ProbeService());
        using var channel = host.CreateChannel();

        using (var root = source.StartActivity("root"))
        {
            var response = await channel.CallInvoker.UnaryAsync(ProbeService.Headers, new Empty(), new CallOptions(CancellationToken: cts.Token));
            Assert.Contains("traceparent=1;", response.Value);
        }

        Activity[] snapshot;
        lock (spans)
        {
            snapshot = [.. spans];
        }

        // Other tests run in parallel and produce spans too: look at this trace only.
        var rootSpan = Assert.Single(snapshot, s => s.OperationName == "root");
        var client = Assert.Single(snapshot, s => s.Source.Name == "MlAspire.Grpc.Client" && s.TraceId == rootSpan.TraceId);
        var server = Assert.Single(snapshot, s => s.Source.Name == "MlAspire.Grpc.Server" && s.TraceId == rootSpan.TraceId);
        Assert.Equal("test.Probe/Headers", client.OperationName);
        Assert.Equal(rootSpan.TraceId, client.TraceId);
        Assert.Equal(rootSpan.SpanId, client.ParentSpanId);
        Assert.Equal(client.TraceId, server.TraceId);
        if (aspNetCoreActivityToo)
        {
            // ASP.NET Core's request span took traceparent; ours is its child.
            var hosting = Assert.Single(snapshot, s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == rootSpan.TraceId);
            Assert.Equal(client.SpanId, hosting.ParentSpanId);
            Assert.Equal(hosting.SpanId, server.ParentSpanId);
        }
        else
        {
            Assert.Equal(client.SpanId, server.ParentSpanId);
        }
        Assert.Equal(0, server.GetTagItem("rpc.grpc.status_code"));
    }

    [Fact]
    public async Task StreamingCallDisposedEarlyResetsTheStream()
    {
        using var cts = Timeout();
        var probe = new ProbeService();
        await using var host = await StartProbeAsync(probe);
        using var channel = host.CreateChannel();
        var call = channel.CallInvoker.AsyncUnaryCall(ProbeService.Wait, new Empty(), new CallOptions(CancellationToken: cts.Token));
        await probe.WaitStarted.Task.WaitAsync(cts.Token);
        call.Dispose();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.True(await probe.WaitCancelled.Task.WaitAsync(cts.Token));
    }

    [Fact]
    public void ChannelRejectsAddressesThatAreNotHttp()
    {
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddresses([]));
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddresses([new Uri("ftp://127.0.0.1:1")]));
    }

    [Theory]
    [InlineData("ok-without-message", StatusCode.Internal)]
    [InlineData("html", StatusCode.Internal)]
    [InlineData("no-status", StatusCode.Unknown)]
    [InlineData("status-7", StatusCode.PermissionDenied)]
    public async Task MisbehavingServerResponsesMapToAStatus(string behaviour, StatusCode expected)
    {
        using var cts = Timeout();
        await using var host = await GrpcTestHost.StartAsync(_ => { }, e => e.MapPost("/test.Probe/Echo", async (HttpContext c) =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null);
            switch (behaviour)
            {
                case "ok-without-message":
                    c.Response.ContentType = "application/grpc";
                    c.Response.Headers["grpc-status"] = "0";
                    break;
                case "html":
                    c.Response.ContentType = "text/html";
                    await c.Response.WriteAsync("<html/>");
                    break;
                case "no-status":
                    c.Response.ContentType = "application/grpc";
                    await c.Response.Body.WriteAsync(RawHttp2.Frame(Bytes(1)));
                    break;
                default:
                    c.Response.ContentType = "application/grpc";
                    c.Response.Headers["grpc-status"] = "7";
                    c.Response.Headers["grpc-message"] = "nope%20here";
                    break;
            }
        }));
        using var channel = host.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Echo, Bytes(1), new CallOptions(CancellationToken: cts.Token)));
        Assert.Equal(expected, ex.StatusCode);
        if (behaviour == "status-7")
        {
            Assert.Equal("nope here", ex.Status.Detail);
        }
    }
}
