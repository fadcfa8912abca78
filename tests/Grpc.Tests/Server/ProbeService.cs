using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace MlAspire.Grpc.Tests.Server;

/// <summary>A small service for functional tests, built with ServerServiceDefinition; records what handlers saw.</summary>
internal sealed class ProbeService
{
    public const string Name = "test.Probe";

    public static readonly Method<BytesValue, BytesValue> Echo =
        new(MethodType.Unary, Name, "Echo", BytesValue.Parser, BytesValue.Parser);

    public static readonly Method<Empty, Empty> Wait =
        new(MethodType.Unary, Name, "Wait", Empty.Parser, Empty.Parser);

    public static readonly Method<Empty, Empty> Throw =
        new(MethodType.Unary, Name, "Throw", Empty.Parser, Empty.Parser);

    public static readonly Method<Int32Value, BytesValue> Big =
        new(MethodType.Unary, Name, "Big", Int32Value.Parser, BytesValue.Parser);

    public static readonly Method<Empty, StringValue> Headers =
        new(MethodType.Unary, Name, "Headers", Empty.Parser, StringValue.Parser);

    public static readonly Method<BytesValue, Int64Value> Sum =
        new(MethodType.ClientStreaming, Name, "Sum", BytesValue.Parser, Int64Value.Parser);

    public TaskCompletionSource<ServerCallContext> WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<bool> WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int EchoCalls;

    public ServerServiceDefinition Build() => ServerServiceDefinition.CreateBuilder()
        .AddUnary(Echo, (request, context) =>
        {
            Interlocked.Increment(ref EchoCalls);
            return Task.FromResult(request);
        })
        .AddUnary(Wait, async (request, context) =>
        {
            WaitStarted.TrySetResult(context);
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                WaitCancelled.TrySetResult(true);
                throw;
            }

            return request;
        })
        .AddUnary(Throw, (request, context) => throw new InvalidOperationException("secret internal detail"))
        .AddUnary(Big, (request, context) =>
            Task.FromResult(new BytesValue { Value = ByteString.CopyFrom(new byte[request.Value]) }))
        .AddUnary(Headers, (request, context) =>
        {
            var h = context.GetHttpContext().Request.Headers;
            return Task.FromResult(new StringValue
            {
                Value = $"traceparent={h["traceparent"].Count};timeout={h["grpc-timeout"]};"
                    + string.Join(",", context.RequestHeaders.Select(e => e.IsBinary ? e.Key + "=" + Convert.ToHexString(e.ValueBytes) : e.Key + "=" + e.Value)),
            });
        })
        .AddClientStreaming(Sum, async (requests, context) =>
        {
            long total = 0;
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
            {
                total += request.Value.Length;
            }

            return new Int64Value { Value = total };
        })
        .Build();
}
