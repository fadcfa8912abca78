using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>A running bidirectional-streaming call.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IGrpcCallState _call;

    internal AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream,
        IAsyncStreamReader<TResponse> responseStream, IGrpcCallState call)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        _call = call;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
