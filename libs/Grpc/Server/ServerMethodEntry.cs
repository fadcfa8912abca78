using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MlAspire.Grpc.Internal;

/// <summary>A method and its handler, before it is bound to options and endpoints.</summary>
internal abstract class ServerMethodEntry
{
    public abstract IMethod Method { get; }

    public abstract RequestDelegate CreateRequestDelegate(GrpcServerOptions options, GrpcServerDiagnostics diagnostics,
        ILogger logger);
}
