namespace MlAspire.Grpc;

/// <summary>Reads a stream of messages; <see cref="MoveNextAsync"/> returns false at the end of the stream.</summary>
public interface IAsyncStreamReader<out T>
{
    T Current { get; }

    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);
}
