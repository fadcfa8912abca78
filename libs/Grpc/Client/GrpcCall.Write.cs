namespace MlAspire.Grpc.Internal;

/// <summary>Request side of client- and duplex-streaming calls.</summary>
internal sealed partial class GrpcCall<TRequest, TResponse>
{
    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_requestCompleted)
        {
            throw new InvalidOperationException("The request stream has already been completed.");
        }

        if (_status is { } finished)
        {
            throw new RpcException(finished, Trailers);
        }

        var token = cancellationToken.CanBeCanceled ? cancellationToken : _token;
        try
        {
            var frame = GrpcMessageIO.SerializeFrame(message, _channel.Options.MaxSendMessageSize, _sendGzip,
                _channel.Options.CompressionLevel);
            var streamTask = _content!.StreamTask;
            if (!streamTask.IsCompleted)
            {
                await Task.WhenAny(streamTask, _sendTask!).WaitAsync(token).ConfigureAwait(false);
            }

            if (!streamTask.IsCompleted)
            {
                // The response (or a failure) came before the request body started: surface its status.
                await EnsureResponseAsync().ConfigureAwait(false);
                throw new RpcException(_status ?? new Status(StatusCode.Internal, "The request stream is not available."), Trailers);
            }

            var stream = await streamTask.ConfigureAwait(false);
            await stream.WriteAsync(frame, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
            GrpcClientDiagnostics.MessageSent(_method);
        }
        catch (Exception ex) when (ex is not RpcException || _status is null)
        {
            if (cancellationToken.IsCancellationRequested && !_token.IsCancellationRequested)
            {
                throw;
            }

            throw _status is { } status ? new RpcException(status, Trailers, ex) : Fail(ex);
        }
    }

    public Task CompleteAsync()
    {
        _requestCompleted = true;
        _content?.Complete();
        return Task.CompletedTask;
    }
}
