using System.Runtime.CompilerServices;
using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>A running client-streaming call: write requests, complete, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IGrpcCallState _call;

    internal AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync,
        IGrpcCallState call)
    {
        RequestStream = requestStream;
        ResponseAsync = responseAsync;
        _call = call;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public Task<TResponse> ResponseAsync { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
