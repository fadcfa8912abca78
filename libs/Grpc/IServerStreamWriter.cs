namespace MlAspire.Grpc;

/// <summary>Writes response messages of a streaming call; each write is flushed to the peer.</summary>
public interface IServerStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
