using Google.Protobuf;
using MlAspire.Grpc.Tests.Interop.Messages;

namespace MlAspire.Grpc.Tests.Interop;

/// <summary>Our implementation of grpc.testing.TestService (interop server side); UnimplementedCall is left out on purpose.</summary>
internal sealed class InteropTestService : IGrpcService<InteropTestService>
{
    public const string InitialKey = "x-grpc-test-echo-initial";
    public const string TrailingKey = "x-grpc-test-echo-trailing-bin";

    public static void BindService(ServiceBinder<InteropTestService> binder) => binder
        .AddUnary(TestServiceMethods.EmptyCall, (s, r, c) => Task.FromResult(new Empty()))
        .AddUnary(TestServiceMethods.UnaryCall, (s, r, c) => UnaryCall(r, c))
        .AddServerStreaming(TestServiceMethods.StreamingOutputCall, (s, r, w, c) => StreamingOutputCall(r, w, c))
        .AddClientStreaming(TestServiceMethods.StreamingInputCall, (s, r, c) => StreamingInputCall(r, c))
        .AddDuplexStreaming(TestServiceMethods.FullDuplexCall, (s, r, w, c) => FullDuplexCall(r, w, c));

    private static async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        if (request.ExpectCompressed is { } expect && expect.Value != context.RequestMessageCompressed)
        {
            GrpcThrow.InvalidArgument($"Expected compressed={expect.Value}, got {context.RequestMessageCompressed}.");
        }

        if (request.ResponseStatus is { Code: not 0 } status)
        {
            GrpcThrow.Rpc((StatusCode)status.Code, status.Message);
        }

        if (request.ResponseCompressed is { } compressed)
        {
            context.ResponseCompression = compressed.Value ? "gzip" : null;
        }

        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    private static async Task StreamingOutputCall(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> stream, ServerCallContext context)
    {
        foreach (var p in request.ResponseParameters)
        {
            if (p.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(p.IntervalUs), context.CancellationToken);
            }

            await stream.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(p.Size) });
        }
    }

    private static async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests,
        ServerCallContext context)
    {
        var total = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            if (request.ExpectCompressed is { } expect && expect.Value != context.RequestMessageCompressed)
            {
                GrpcThrow.InvalidArgument("Compression expectation not met.");
            }

            total += request.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    private static async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            if (request.ResponseStatus is { Code: not 0 } status)
            {
                GrpcThrow.Rpc((StatusCode)status.Code, status.Message);
            }

            foreach (var p in request.ResponseParameters)
            {
                if (p.IntervalUs > 0)
                {
                    await Task.Delay(TimeSpan.FromMicroseconds(p.IntervalUs), context.CancellationToken);
                }

                await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(p.Size) });
            }
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(InitialKey) is { } initial)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { InitialKey, initial } });
        }

        if (context.RequestHeaders.GetValueBytes(TrailingKey) is { } trailing)
        {
            context.ResponseTrailers.Add(TrailingKey, trailing);
        }
    }

    internal static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}
