using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>A running server-streaming call.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly IGrpcCallState _call;

    internal AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, IGrpcCallState call)
    {
        ResponseStream = responseStream;
        _call = call;
    }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
