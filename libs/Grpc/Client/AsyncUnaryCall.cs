using System.Runtime.CompilerServices;
using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>A running unary call: await it for the response; headers, status and trailers are available too.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IGrpcCallState _call;

    internal AsyncUnaryCall(Task<TResponse> responseAsync, IGrpcCallState call)
    {
        ResponseAsync = responseAsync;
        _call = call;
    }

    public Task<TResponse> ResponseAsync { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>The final status; valid once the response (or its error) has been observed.</summary>
    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (resets the HTTP/2 stream).</summary>
    public void Dispose() => _call.Dispose();
}
