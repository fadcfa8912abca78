using System.Buffers;
using Google.Protobuf;
using MlAspire.Grpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace MlAspire.Grpc;

/// <summary>The wire side of a server call: deadline, request decoding, response framing and the status trailers.</summary>
public sealed partial class ServerCallContext
{
    private bool _headersSent;
    private bool _headersPrepared;
    private bool _messageWritten;
    private bool _requestGzip;
    private bool _responseGzip;

    internal long MessagesReceived { get; private set; }

    internal long MessagesSent { get; private set; }

    internal bool DeadlineExceeded => _deadlineCts is { IsCancellationRequested: true }
        && !_httpContext.RequestAborted.IsCancellationRequested;

    /// <summary>Reads the deadline and request encoding; throws <see cref="RpcException"/> for what cannot be served.</summary>
    internal void Initialize()
    {
        var requestHeaders = _httpContext.Request.Headers;
        var response = _httpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;

        var encoding = requestHeaders[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            if (!string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
                throw new RpcException(StatusCode.Unimplemented,
                    $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {GrpcProtocol.SupportedEncodings}");
            }

            _requestGzip = true;
        }

        var timeoutHeader = requestHeaders[GrpcProtocol.TimeoutHeader];
        if (timeoutHeader.Count > 0)
        {
            // Decision: a malformed grpc-timeout is a client bug we report, not one we hide: INTERNAL.
            if (!GrpcProtocol.TryParseTimeout(timeoutHeader.ToString(), out var timeout))
            {
                throw new RpcException(StatusCode.Internal, $"Malformed grpc-timeout header '{timeoutHeader}'.");
            }

            StartDeadline(timeout);
        }
    }

    private void StartDeadline(TimeSpan timeout)
    {
        Deadline = timeout >= TimeSpan.FromDays(3650) ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        if (timeout > TimeSpan.FromMilliseconds(uint.MaxValue - 1))
        {
            return; // Beyond what a timer can hold (~49 days): treat as no deadline.
        }

        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(_httpContext.RequestAborted);
        _deadlineCts.CancelAfter(timeout);
    }

    /// <summary>Token for body reads: only a deadline needs one (reads fail by themselves when the client resets).</summary>
    internal CancellationToken DeadlineToken => _deadlineCts?.Token ?? default;

    /// <summary>
    /// The single request message of a unary call from the body buffered so far, or null while more is needed.
    /// Throws INTERNAL for no message, a truncated frame or data after the message, RESOURCE_EXHAUSTED over the limit.
    /// </summary>
    internal T? TryTakeSingleRequest<T>(ReadOnlySequence<byte> buffer, bool completed, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var rest = buffer;
        if (!completed)
        {
            if (GrpcFrame.TryRead(ref rest, _options.MaxReceiveMessageSize, out _, out _) && rest.Length > 0)
            {
                throw new RpcException(StatusCode.Internal, "Additional message received after the single request message.");
            }

            return null;
        }

        if (buffer.Length == 0)
        {
            throw new RpcException(StatusCode.Internal, "Request message not received.");
        }

        if (!GrpcMessageIO.TryParse(ref rest, parser, _options.MaxReceiveMessageSize, _requestGzip, out var message, out var compressed))
        {
            throw new RpcException(StatusCode.Internal, $"Incomplete message: the stream ended {buffer.Length} bytes into a frame.");
        }

        if (rest.Length > 0)
        {
            throw new RpcException(StatusCode.Internal, "Additional message received after the single request message.");
        }

        MessagesReceived++;
        RequestMessageCompressed = compressed;
        return message;
    }

    internal async ValueTask<T> ReadSingleMessageAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        // Body reads fail by themselves when the client resets the stream; only a deadline needs a token here.
        var token = _deadlineCts?.Token ?? default;
        var message = await ReadMessageAsync(parser, token).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "Request message not received.");
        if (await ReadMessageAsync(parser, token).ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "Additional message received after the single request message.");
        }

        return message;
    }

    internal async ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var (message, compressed) = await GrpcMessageIO.ReadMessageAsync(_httpContext.Request.BodyReader, parser,
            _options.MaxReceiveMessageSize, _requestGzip, cancellationToken).ConfigureAwait(false);
        if (message is not null)
        {
            MessagesReceived++;
            RequestMessageCompressed = compressed;
        }

        return message;
    }

    internal void WriteMessage(IMessage message)
    {
        PrepareResponseHeaders();
        GrpcMessageIO.WriteMessage(_httpContext.Response.BodyWriter, message, _options.MaxSendMessageSize,
            _responseGzip, _options.CompressionLevel);
        _messageWritten = true;
        MessagesSent++;
    }

    internal async Task WriteAndFlushAsync(IMessage message, CancellationToken cancellationToken)
    {
        WriteMessage(message);
        _headersSent = true;
        var result = await _httpContext.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client is no longer reading the response.");
        }
    }

    private void PrepareResponseHeaders()
    {
        if (_headersPrepared)
        {
            return;
        }

        _headersPrepared = true;
        if (ResponseCompression is { } algorithm
            && !string.Equals(algorithm, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            if (!string.Equals(algorithm, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Unsupported response compression '{algorithm}'; use gzip.");
            }

            if (GrpcProtocol.AcceptsEncoding(_httpContext.Request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(),
                    GrpcProtocol.GzipEncoding))
            {
                _httpContext.Response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.GzipEncoding;
                _responseGzip = true;
            }
        }
    }

    /// <summary>Maps what a handler threw to the status sent to the client.</summary>
    internal Status StatusFromException(Exception exception, ILogger logger)
    {
        switch (exception)
        {
            case RpcException rpc:
                foreach (var entry in rpc.Trailers)
                {
                    ResponseTrailers.Add(entry);
                }

                return rpc.Status;
            case not null when DeadlineExceeded:
                return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            case not null when _httpContext.RequestAborted.IsCancellationRequested:
                return new Status(StatusCode.Cancelled, "Call canceled by the client.");
            default:
                Log.HandlerFailed(logger, Method.FullName, exception);
                var detail = _options.EnableDetailedErrors
                    ? "Exception was thrown by handler. " + exception?.GetType().Name + ": " + exception?.Message
                    : "Exception was thrown by handler.";
                return new Status(StatusCode.Unknown, detail);
        }
    }

    /// <summary>Sends the status: trailers-only when nothing was sent yet, else HTTP/2 trailers.</summary>
    internal void Complete(Status status)
    {
        // A reset stream needs no check here: Kestrel drops what is written after the client went away.
        var response = _httpContext.Response;
        if (!_headersSent && !_messageWritten && !response.HasStarted)
        {
            // Trailers-Only: a single HEADERS frame carrying the status.
            var headers = response.Headers;
            headers[GrpcProtocol.StatusTrailer] = StatusText(status.StatusCode);
            if (!string.IsNullOrEmpty(status.Detail))
            {
                headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode(status.Detail);
            }

            if (_responseTrailers is not null)
            {
                foreach (var entry in _responseTrailers)
                {
                    if (!GrpcProtocol.IsReservedHeader(entry.Key))
                    {
                        headers.Append(entry.Key, HeaderValue(entry));
                    }
                }
            }

            return;
        }

        var trailers = _httpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is null || trailers.IsReadOnly)
        {
            // HTTP/1.x or trailers already sent: the best we can do is abort so the client sees an error.
            _httpContext.Abort();
            return;
        }

        trailers[GrpcProtocol.StatusTrailer] = StatusText(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            trailers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode(status.Detail);
        }

        if (_responseTrailers is not null)
        {
            foreach (var entry in _responseTrailers)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    trailers.Append(entry.Key, HeaderValue(entry));
                }
            }
        }
    }

    internal void DisposeDeadline() => _deadlineCts?.Dispose();

    private static string HeaderValue(MetadataEntry entry) =>
        entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value;

    private static string StatusText(StatusCode code) => code switch
    {
        StatusCode.OK => "0",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
