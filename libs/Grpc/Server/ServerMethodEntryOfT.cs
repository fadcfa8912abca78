using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MlAspire.Grpc.Internal;

internal sealed class ServerMethodEntry<TRequest, TResponse>(Method<TRequest, TResponse> method, Delegate handler)
    : ServerMethodEntry
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override IMethod Method => method;

    public override RequestDelegate CreateRequestDelegate(GrpcServerOptions options, GrpcServerDiagnostics diagnostics,
        ILogger logger) =>
        new ServerCallHandler<TRequest, TResponse>(method, handler, options, diagnostics, logger).HandleAsync;
}
