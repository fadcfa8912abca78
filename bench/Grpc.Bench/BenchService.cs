using Google.Protobuf.WellKnownTypes;

namespace MlAspire.Grpc.Bench;

/// <summary>bench.Bench/Echo: a unary echo of a small BytesValue, declared and mapped like a real service.</summary>
internal sealed class BenchService : IGrpcService<BenchService>
{
    public static readonly Method<BytesValue, BytesValue> Echo =
        new(MethodType.Unary, "bench.Bench", "Echo", BytesValue.Parser, BytesValue.Parser);

    public static void BindService(ServiceBinder<BenchService> binder) =>
        binder.AddUnary(Echo, static (_, request, _) => Task.FromResult(request));
}
