using System.Net;

namespace MlAspire.Grpc.Internal;

/// <summary>A request body written message by message while the call runs (client and duplex streaming).</summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> StreamTask => _stream.Task;

    public void Complete() => _complete.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _complete.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context,
        CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await using (cancellationToken.Register(static s => ((StreamingRequestContent)s!).Abort(), this))
        {
            await _complete.Task.ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
