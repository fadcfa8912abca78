using Google.Protobuf;
using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>Starts typed calls on a <see cref="GrpcChannel"/>.</summary>
public sealed class CallInvoker
{
    private readonly GrpcChannel _channel;

    internal CallInvoker(GrpcChannel channel) => _channel = channel;

    /// <summary>A unary call; throws <see cref="RpcException"/> for any non-OK status.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request,
        CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using var call = Create(method, MethodType.Unary, options, disposableEarly: false);
        call.Start(request);
        return await call.GetResponseAsync().ConfigureAwait(false);
    }

    /// <summary>A unary call that also exposes response headers, status and trailers.</summary>
    public AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method,
        TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = Create(method, MethodType.Unary, options, disposableEarly: true);
        call.Start(request);
        return new AsyncUnaryCall<TResponse>(Observed(call.GetResponseAsync()), call);
    }

    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = Create(method, MethodType.ServerStreaming, options, disposableEarly: true);
        call.Start(request);
        return new AsyncServerStreamingCall<TResponse>(call, call);
    }

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(
        Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = Create(method, MethodType.ClientStreaming, options, disposableEarly: true);
        call.Start(null);
        return new AsyncClientStreamingCall<TRequest, TResponse>(call, Observed(call.GetResponseAsync()), call);
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> Duplex<TRequest, TResponse>(Method<TRequest, TResponse> method,
        CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = Create(method, MethodType.DuplexStreaming, options, disposableEarly: true);
        call.Start(null);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call, call, call);
    }

    /// <summary>A response task the caller may never await (it disposed the call): keep its fault observed.</summary>
    private static Task<T> Observed<T>(Task<T> task)
    {
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private GrpcCall<TRequest, TResponse> Create<TRequest, TResponse>(Method<TRequest, TResponse> method,
        MethodType expected, CallOptions options, bool disposableEarly)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(_channel.IsDisposed, _channel);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is {method.Type}, not {expected}.", nameof(method));
        }

        return new GrpcCall<TRequest, TResponse>(_channel, method, options, disposableEarly);
    }
}
