using System.Runtime.CompilerServices;

namespace MlAspire.Grpc;

public static class AsyncStreamReaderExtensions
{
    /// <summary>The remaining messages as an async sequence.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
