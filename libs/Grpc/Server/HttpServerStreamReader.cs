using Google.Protobuf;

namespace MlAspire.Grpc.Internal;

/// <summary>Request messages of a streaming call, read from the HTTP/2 request body.</summary>
internal sealed class HttpServerStreamReader<T>(ServerCallContext context, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("MoveNextAsync has not returned true.");

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (!cancellationToken.CanBeCanceled || cancellationToken == context.CancellationToken)
        {
            _current = await context.ReadMessageAsync(parser, context.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken);
            _current = await context.ReadMessageAsync(parser, linked.Token).ConfigureAwait(false);
        }

        return _current is not null;
    }
}
