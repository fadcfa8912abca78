using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace MlAspire.Grpc.Bench;

/// <summary>bench.Bench/Echo on Grpc.AspNetCore: returns the request, so a call costs only what gRPC adds.</summary>
internal sealed class BenchService : Bench.BenchBase
{
    public override Task<BytesValue> Echo(BytesValue request, ServerCallContext context) => Task.FromResult(request);
}
