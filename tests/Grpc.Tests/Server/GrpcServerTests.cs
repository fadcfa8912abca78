using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.Grpc.Tests.Server;

public sealed class GrpcServerTests : IAsyncLifetime
{
    private readonly ProbeService _probe = new();
    private GrpcTestHost _host = null!;
    private readonly RawHttp2 _raw = new();
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(30));

    private CancellationToken Token => _cts.Token;

    public async Task InitializeAsync() => _host = await GrpcTestHost.StartAsync(
        s => s.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 64 * 1024;
            o.MaxSendMessageSize = 64 * 1024;
        }),
        e =>
        {
            e.MapGrpc(_probe.Build());
            e.MapGet("/plain", () => "plain");
        });

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _host.DisposeAsync();
        _cts.Dispose();
    }

    private static byte[] EchoFrame(int size = 3) =>
        RawHttp2.Frame(new BytesValue { Value = ByteString.CopyFrom(new byte[size]) });

    [Fact]
    public async Task UnaryCallRoundTripsWithGrpcHeadersAndTrailers()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(), Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, result.HttpStatus);
        Assert.Equal("application/grpc", result.ContentType);
        Assert.Equal("0", result.Trailer("grpc-status"));
        Assert.Equal(EchoFrame(), result.Body);
    }

    [Fact]
    public async Task NonGrpcContentTypeGets415()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(), Token, contentType: "application/json");
        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, result.HttpStatus);
    }

    [Theory]
    [InlineData("/test.Probe/Nope", "Method is unimplemented.")]
    [InlineData("/other.Service/Echo", "Service is unimplemented.")]
    [InlineData("/just-a-path", "Service is unimplemented.")]
    public async Task UnknownMethodOrServiceIsUnimplementedTrailersOnly(string path, string message)
    {
        var result = await _raw.PostAsync(_host.Address, path, EchoFrame(), Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, result.HttpStatus);
        Assert.Equal("12", result.Header("grpc-status"));
        Assert.Equal(message, result.Header("grpc-message"));
        Assert.Empty(result.Body);
    }

    [Fact]
    public async Task UnknownPathWithoutGrpcContentTypeIsAPlain404()
    {
        var result = await _raw.PostAsync(_host.Address, "/nothing/here", [], Token, contentType: "text/plain");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, result.HttpStatus);
    }

    [Fact]
    public async Task MalformedFramesGetInternalWithoutHarmingOtherCallsOnTheConnection()
    {
        var truncated = EchoFrame(10)[..8];
        var badFlag = EchoFrame();
        badFlag[0] = 7;
        var garbage = new byte[] { 0, 0, 0, 0, 2, 0xFF, 0xFF };
        var twoMessages = EchoFrame().Concat(EchoFrame()).ToArray();

        var good = Enumerable.Range(0, 10).Select(_ => _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(), Token)).ToList();
        foreach (var body in new[] { truncated, badFlag, garbage, twoMessages, [] })
        {
            var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", body, Token);
            Assert.Equal("13", result.GrpcStatus);
        }

        foreach (var result in await Task.WhenAll(good))
        {
            Assert.Equal("0", result.GrpcStatus);
        }

        Assert.Equal("0", (await _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(), Token)).GrpcStatus);
    }

    [Fact]
    public async Task RequestOverTheReceiveLimitIsResourceExhausted()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(70 * 1024), Token);
        Assert.Equal("8", result.GrpcStatus);
    }

    [Fact]
    public async Task ResponseOverTheSendLimitIsResourceExhausted()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Big", RawHttp2.Frame(new Int32Value { Value = 70 * 1024 }), Token);
        Assert.Equal("8", result.GrpcStatus);
        Assert.Empty(result.Body);
    }

    [Fact]
    public async Task GzipMessageThatInflatesPastTheReceiveLimitIsResourceExhausted()
    {
        // About 1 KB on the wire, 1 MB inflated: the server stops inflating at its 64 KB limit.
        var bomb = Internal.GrpcMessageIO.SerializeFrame(new BytesValue { Value = ByteString.CopyFrom(new byte[1 << 20]) }, int.MaxValue, gzip: true,
            System.IO.Compression.CompressionLevel.SmallestSize);
        Assert.True(bomb.Length < 64 * 1024);
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", bomb, Token, headers: ("grpc-encoding", "gzip"));
        Assert.Equal("8", result.GrpcStatus);
        Assert.Contains("Decompressed message larger than max", result.Header("grpc-message"));
    }

    [Fact]
    public async Task CorruptGzipMessageIsInternal()
    {
        var frame = EchoFrame(200);
        frame[0] = 1; // "compressed", but the payload is a plain protobuf message, not gzip
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", frame, Token, headers: ("grpc-encoding", "gzip"));
        Assert.Equal("13", result.GrpcStatus);
        Assert.Contains("decompress", result.Header("grpc-message"));
    }

    [Fact]
    public async Task UnsupportedRequestEncodingIsUnimplementedAndListsAcceptedEncodings()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(), Token, headers: ("grpc-encoding", "snappy"));
        Assert.Equal("12", result.GrpcStatus);
        Assert.Contains("gzip", result.Header("grpc-accept-encoding"));
    }

    [Theory]
    [InlineData("10x")]
    [InlineData("123456789S")]
    [InlineData("-5m")]
    [InlineData("S")]
    [InlineData("1000")]
    [InlineData("1.5S")]
    public async Task MalformedTimeoutIsInternal(string timeout)
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Echo", EchoFrame(), Token, headers: ("grpc-timeout", timeout));
        Assert.Equal("13", result.GrpcStatus);
        Assert.Contains("grpc-timeout", result.Header("grpc-message"));
    }

    [Fact]
    public async Task DeadlineCancelsTheHandlerAndAnswersDeadlineExceeded()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Wait", RawHttp2.Frame(new Empty()), Token,
            headers: ("grpc-timeout", "200m"));
        Assert.Equal("4", result.GrpcStatus);
        Assert.True(await _probe.WaitCancelled.Task.WaitAsync(Token));
        var context = await _probe.WaitStarted.Task;
        Assert.NotEqual(DateTime.MaxValue, context.Deadline);
    }

    [Fact]
    public async Task ClientResetCancelsTheHandler()
    {
        using var channel = _host.CreateChannel();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var call = channel.CallInvoker.UnaryAsync(ProbeService.Wait, new Empty(), new CallOptions(CancellationToken: cts.Token));
        await _probe.WaitStarted.Task.WaitAsync(Token);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.True(await _probe.WaitCancelled.Task.WaitAsync(Token));
    }

    [Fact]
    public async Task HandlerExceptionIsUnknownAndHidesItsMessage()
    {
        using var channel = _host.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Throw, new Empty(), new CallOptions(CancellationToken: Token)));
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Status.Detail);
    }

    [Fact]
    public async Task RequestMetadataArrivesWithBinaryValuesDecodedAndReservedHeadersHidden()
    {
        var result = await _raw.PostAsync(_host.Address, "/test.Probe/Headers", RawHttp2.Frame(new Empty()), Token,
            headers: [("x-text", "hello"), ("x-padded-bin", "q6urqw=="), ("x-unpadded-bin", "q6urqw")]);
        Assert.Equal("0", result.GrpcStatus);
        var text = StringValue.Parser.ParseFrom(result.Body.AsSpan(5)).Value;
        Assert.Contains("x-text=hello", text);
        Assert.Contains("x-padded-bin=ABABABAB", text);
        Assert.Contains("x-unpadded-bin=ABABABAB", text);
        Assert.DoesNotContain("content-type", text);
        Assert.DoesNotContain(":path", text);
    }

    [Fact]
    public async Task ClientSendsGrpcTimeoutHeader()
    {
        using var channel = _host.CreateChannel();
        var response = await channel.CallInvoker.UnaryAsync(ProbeService.Headers, new Empty(),
            CallOptions.FromTimeout(TimeSpan.FromSeconds(10), Token));
        Assert.Matches("timeout=[0-9]{1,8}[um];", response.Value);
    }

    [Fact]
    public async Task ClientStreamLongerThanKestrelsBodyLimitIsAccepted()
    {
        using var channel = _host.CreateChannel();
        using var call = channel.CallInvoker.ClientStreaming(ProbeService.Sum, new CallOptions(CancellationToken: Token));
        var chunk = new BytesValue { Value = ByteString.CopyFrom(new byte[60 * 1024]) };
        for (var i = 0; i < 600; i++)
        {
            await call.RequestStream.WriteAsync(chunk, Token);
        }

        await call.RequestStream.CompleteAsync();
        Assert.Equal(600L * 60 * 1024, (await call).Value);
    }

    [Fact]
    public async Task Http1RequestGets426()
    {
        await using var host = await GrpcTestHost.StartAsync(s => s.AddGrpc(), e => e.MapGrpc(new ProbeService().Build()),
            Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
        using var client = new HttpClient();
        using var content = new ByteArrayContent(EchoFrame());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        using var response = await client.PostAsync(new Uri(host.Address, "/test.Probe/Echo"), content, Token);
        Assert.Equal(System.Net.HttpStatusCode.UpgradeRequired, response.StatusCode);
    }
}
