using Google.Protobuf;
using MlAspire.Grpc.Tests.Interop.Messages;

namespace MlAspire.Grpc.Tests.Interop;

/// <summary>The interop cases (doc/interop-test-descriptions.md) run by our client.</summary>
internal sealed class InteropClient(GrpcChannel channel, FrameFlagRecorder recorder, bool serverChecksCompression)
{
    public static readonly string[] Cases =
    [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
        "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "status_code_and_message",
        "special_status_message", "custom_metadata", "unimplemented_method", "unimplemented_service",
        "client_compressed_unary", "server_compressed_unary",
    ];

    private const string SpecialMessage = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";

    private CallInvoker Invoker => channel.CallInvoker;

    private static CallOptions Options(CancellationToken token, Metadata? headers = null) =>
        new(Headers: headers, Deadline: DateTime.UtcNow.AddSeconds(20), CancellationToken: token);

    public Task RunAsync(string name, CancellationToken token) => name switch
    {
        "empty_unary" => EmptyUnary(token),
        "large_unary" => LargeUnary(token),
        "client_streaming" => ClientStreaming(token),
        "server_streaming" => ServerStreaming(token),
        "ping_pong" => PingPong(token),
        "empty_stream" => EmptyStream(token),
        "cancel_after_begin" => CancelAfterBegin(token),
        "cancel_after_first_response" => CancelAfterFirstResponse(token),
        "timeout_on_sleeping_server" => TimeoutOnSleepingServer(token),
        "status_code_and_message" => StatusCodeAndMessage("test status message", duplexToo: true, token),
        "special_status_message" => StatusCodeAndMessage(SpecialMessage, duplexToo: false, token),
        "custom_metadata" => CustomMetadata(token),
        "unimplemented_method" => Unimplemented(TestServiceMethods.UnimplementedCall, token),
        "unimplemented_service" => Unimplemented(TestServiceMethods.UnimplementedServiceCall, token),
        "client_compressed_unary" => ClientCompressedUnary(token),
        "server_compressed_unary" => ServerCompressedUnary(token),
        _ => throw new ArgumentException("unknown case " + name, nameof(name)),
    };

    private static Payload Zeros(int size) => InteropTestService.Zeros(size);

    private static StreamingOutputCallRequest Ask(int size, int body = 0) => new()
    {
        ResponseParameters = { new ResponseParameters { Size = size } },
        Payload = body > 0 ? Zeros(body) : null,
    };

    private async Task EmptyUnary(CancellationToken token)
    {
        var response = await Invoker.UnaryAsync(TestServiceMethods.EmptyCall, new Empty(), Options(token));
        Assert.Equal(0, response.CalculateSize());
    }

    private async Task LargeUnary(CancellationToken token)
    {
        var response = await Invoker.UnaryAsync(TestServiceMethods.UnaryCall,
            new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, Options(token));
        Assert.Equal(314159, response.Payload.Body.Length);
        Assert.All(response.Payload.Body.ToByteArray(), b => Assert.Equal(0, b));
    }

    private async Task ClientStreaming(CancellationToken token)
    {
        using var call = Invoker.ClientStreaming(TestServiceMethods.StreamingInputCall, Options(token));
        foreach (var size in new[] { 27182, 8, 1828, 45904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) }, token);
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;
        Assert.Equal(74922, response.AggregatedPayloadSize);
    }

    private async Task ServerStreaming(CancellationToken token)
    {
        int[] sizes = [31415, 9, 2653, 58979];
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(sizes.Select(s => new ResponseParameters { Size = s }));
        using var call = Invoker.ServerStreaming(TestServiceMethods.StreamingOutputCall, request, Options(token));
        var got = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync(token))
        {
            got.Add(response.Payload.Body.Length);
        }

        Assert.Equal(sizes, got);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private async Task PingPong(CancellationToken token)
    {
        using var call = Invoker.Duplex(TestServiceMethods.FullDuplexCall, Options(token));
        foreach (var (size, body) in new[] { (31415, 27182), (9, 8), (2653, 1828), (58979, 45904) })
        {
            await call.RequestStream.WriteAsync(Ask(size, body), token);
            Assert.True(await call.ResponseStream.MoveNextAsync(token));
            Assert.Equal(size, call.ResponseStream.Current.Payload.Body.Length);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync(token));
    }

    private async Task EmptyStream(CancellationToken token)
    {
        using var call = Invoker.Duplex(TestServiceMethods.FullDuplexCall, Options(token));
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync(token));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private async Task CancelAfterBegin(CancellationToken token)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var call = Invoker.ClientStreaming(TestServiceMethods.StreamingInputCall,
            new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(20), CancellationToken: cts.Token));
        await Task.Delay(50, token);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private async Task CancelAfterFirstResponse(CancellationToken token)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var call = Invoker.Duplex(TestServiceMethods.FullDuplexCall,
            new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(20), CancellationToken: cts.Token));
        await call.RequestStream.WriteAsync(Ask(31415, 27182), token);
        Assert.True(await call.ResponseStream.MoveNextAsync(token));
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private async Task TimeoutOnSleepingServer(CancellationToken token)
    {
        using var call = Invoker.Duplex(TestServiceMethods.FullDuplexCall,
            new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(1), CancellationToken: token));
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) }, token);
        }
        catch (RpcException ex)
        {
            Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode); // The deadline may pass before the write.
        }

        var read = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.DeadlineExceeded, read.StatusCode);
    }

    private async Task StatusCodeAndMessage(string message, bool duplexToo, CancellationToken token)
    {
        var status = new EchoStatus { Code = 2, Message = message };
        var ex = await Assert.ThrowsAsync<RpcException>(() => Invoker.UnaryAsync(TestServiceMethods.UnaryCall,
            new SimpleRequest { ResponseStatus = status }, Options(token)));
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
        if (!duplexToo)
        {
            return;
        }

        using var call = Invoker.Duplex(TestServiceMethods.FullDuplexCall, Options(token));
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = status }, token);
        await call.RequestStream.CompleteAsync();
        var duplex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync(token));
        Assert.Equal(StatusCode.Unknown, duplex.StatusCode);
        Assert.Equal(message, duplex.Status.Detail);
    }

    private async Task CustomMetadata(CancellationToken token)
    {
        byte[] trailingValue = [0xab, 0xab, 0xab];
        Metadata Headers() => new()
        {
            { InteropTestService.InitialKey, "test_initial_metadata_value" },
            { InteropTestService.TrailingKey, trailingValue },
        };

        using (var unary = Invoker.AsyncUnaryCall(TestServiceMethods.UnaryCall,
                   new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, Options(token, Headers())))
        {
            var response = await unary;
            Assert.Equal(314159, response.Payload.Body.Length);
            var headers = await unary.ResponseHeadersAsync;
            Assert.Equal("test_initial_metadata_value", headers.GetValue(InteropTestService.InitialKey));
            Assert.Equal(trailingValue, unary.GetTrailers().GetValueBytes(InteropTestService.TrailingKey));
        }

        using var call = Invoker.Duplex(TestServiceMethods.FullDuplexCall, Options(token, Headers()));
        await call.RequestStream.WriteAsync(Ask(314159, 271828), token);
        await call.RequestStream.CompleteAsync();
        var sizes = new List<int>();
        await foreach (var r in call.ResponseStream.ReadAllAsync(token))
        {
            sizes.Add(r.Payload.Body.Length);
        }

        Assert.Equal([314159], sizes);
        Assert.Equal("test_initial_metadata_value", (await call.ResponseHeadersAsync).GetValue(InteropTestService.InitialKey));
        Assert.Equal(trailingValue, call.GetTrailers().GetValueBytes(InteropTestService.TrailingKey));
    }

    private async Task Unimplemented(Method<Empty, Empty> method, CancellationToken token)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Invoker.UnaryAsync(method, new Empty(), Options(token)));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    private async Task ClientCompressedUnary(CancellationToken token)
    {
        SimpleRequest Request(bool expect) => new()
        {
            ExpectCompressed = new BoolValue { Value = expect },
            ResponseSize = 314159,
            Payload = Zeros(271828),
        };

        // Probe: uncompressed but claiming compression. A server that can see the flag answers INVALID_ARGUMENT;
        // grpcio's Python API cannot see it, so against that peer the probe succeeds.
        var probe = await Record(() => Invoker.UnaryAsync(TestServiceMethods.UnaryCall, Request(true), Options(token)));
        Assert.Equal((byte)0, recorder.LastRequestFlag);
        if (serverChecksCompression)
        {
            Assert.Equal(StatusCode.InvalidArgument, probe);
        }

        var compressed = await Invoker.UnaryAsync(TestServiceMethods.UnaryCall, Request(true),
            Options(token) with { Compression = "gzip" });
        Assert.Equal((byte)1, recorder.LastRequestFlag);
        Assert.Equal(314159, compressed.Payload.Body.Length);

        var plain = await Invoker.UnaryAsync(TestServiceMethods.UnaryCall, Request(false), Options(token));
        Assert.Equal((byte)0, recorder.LastRequestFlag);
        Assert.Equal(314159, plain.Payload.Body.Length);
    }

    private async Task ServerCompressedUnary(CancellationToken token)
    {
        foreach (var flag in new[] { true, false })
        {
            var response = await Invoker.UnaryAsync(TestServiceMethods.UnaryCall, new SimpleRequest
            {
                ResponseCompressed = new BoolValue { Value = flag },
                ResponseSize = 314159,
                Payload = Zeros(271828),
            }, Options(token));
            Assert.Equal(314159, response.Payload.Body.Length);
            Assert.Equal(flag ? 1 : 0, recorder.LastResponse!.FirstByte);
        }
    }

    private static async Task<StatusCode> Record(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
