using Google.Protobuf;

namespace MlAspire.Grpc.Internal;

/// <summary>Response messages of a streaming call; each write is flushed as HTTP/2 DATA.</summary>
internal sealed class HttpServerStreamWriter<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return context.WriteAndFlushAsync(message,
            cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken);
    }
}
