namespace MlAspire.Grpc;

/// <summary>Writes request messages of a client- or duplex-streaming call.</summary>
public interface IClientStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>Half-closes the request stream (END_STREAM).</summary>
    Task CompleteAsync();
}
