using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace MlAspire.Grpc.Internal;

/// <summary>One client call over HTTP/2: request headers and body, response messages, status and trailers.</summary>
internal sealed partial class GrpcCall<TRequest, TResponse> : IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>,
    IGrpcCallState
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource? _cts;
    private readonly CancellationToken _token;
    private readonly long _startTimestamp;
    private readonly Activity? _activity;
    private readonly bool _sendGzip;
    private Task<HttpResponseMessage>? _sendTask;
    private Task? _responseTask;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private StreamingRequestContent? _content;
    private bool _responseGzip;
    private HttpHeaders? _headerSource;
    private HttpHeaders? _trailerSource;
    private Metadata? _responseHeaders;
    private Metadata? _trailers;
    private Status? _status;
    private int _addressIndex;
    private TResponse? _current;
    private int _finished;
    private bool _disposed;
    private bool _requestCompleted;

    /// <param name="disposableEarly">The caller may dispose the call before it completes, so it needs its own token.</param>
    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options, bool disposableEarly)
    {
        _channel = channel;
        _method = method;
        _options = options;
        if (options.Deadline is not null || disposableEarly)
        {
            _cts = options.CancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken)
                : new CancellationTokenSource();
            _token = _cts.Token;
        }
        else
        {
            _token = options.CancellationToken;
        }

        var compression = options.Compression ?? channel.Options.SendCompression;
        _sendGzip = compression is not null && string.Equals(compression, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);
        if (compression is not null && !_sendGzip && !string.Equals(compression, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unsupported compression '{compression}'; use gzip or identity.", nameof(options));
        }

        _startTimestamp = Stopwatch.GetTimestamp();
        GrpcClientDiagnostics.CallStarted(method);
        _activity = GrpcClientDiagnostics.StartActivity(method);
    }

    // Converted on demand: most calls never look at headers or trailers.
    private Metadata? ResponseHeaders => _responseHeaders ??= _headerSource is null ? null : ToMetadata(_headerSource);

    private Metadata? Trailers => _trailers ??= _trailerSource is null ? null : ToMetadata(_trailerSource);

    public TResponse Current => _current ?? throw new InvalidOperationException("MoveNextAsync has not returned true.");

    /// <summary>Sends the request headers (and, for unary and server-streaming calls, the one request message).</summary>
    public void Start(TRequest? request)
    {
        try
        {
            StartCore(request);
        }
        catch (Exception ex)
        {
            _sendTask = Task.FromException<HttpResponseMessage>(Fail(ex));
        }
    }

    private void StartCore(TRequest? request)
    {
        string? timeout = null;
        if (_options.Deadline is { } deadline)
        {
            // Deadlines are UTC; a Local one is converted, an Unspecified one is taken as UTC.
            var remaining = (deadline.Kind == DateTimeKind.Local ? deadline.ToUniversalTime() : deadline) - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new RpcException(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            }

            timeout = GrpcProtocol.FormatTimeout(remaining);
            if (remaining < TimeSpan.FromMilliseconds(uint.MaxValue - 1))
            {
                _cts!.CancelAfter(remaining);
            }
        }

        _addressIndex = _channel.Picker.Pick();
        var message = new HttpRequestMessage(HttpMethod.Post, _channel.GetRequestUri(_addressIndex, _method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        var headers = message.Headers;
        headers.TryAddWithoutValidation("TE", "trailers");
        headers.TryAddWithoutValidation("User-Agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (timeout is not null)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, timeout);
        }

        if (_sendGzip)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.GzipEncoding);
        }

        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    headers.TryAddWithoutValidation(entry.Key,
                        entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
                }
            }
        }

        // One traceparent: ours (the handler's own propagator is switched off, see GrpcChannel).
        if ((_activity ?? Activity.Current) is { } traceActivity)
        {
            DistributedContextPropagator.Current.Inject(traceActivity, headers,
                static (carrier, name, value) => ((HttpRequestHeaders)carrier!).TryAddWithoutValidation(name, value));
        }

        HttpContent content;
        if (request is not null)
        {
            var frame = GrpcMessageIO.SerializeFrame(request, _channel.Options.MaxSendMessageSize, _sendGzip,
                _channel.Options.CompressionLevel);
            content = new ByteArrayContent(frame);
            GrpcClientDiagnostics.MessageSent(_method);
        }
        else
        {
            content = _content = new StreamingRequestContent();
        }

        content.Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
        message.Content = content;
        _sendTask = _channel.Invoker.SendAsync(message, _token);
    }

    public Task<Metadata> GetResponseHeadersAsync() => GetResponseHeadersCoreAsync();

    private async Task<Metadata> GetResponseHeadersCoreAsync()
    {
        await EnsureResponseAsync().ConfigureAwait(false);
        return ResponseHeaders ?? [];
    }

    public Status GetStatus() =>
        _status ?? throw new InvalidOperationException("The call has not finished; read the response first.");

    public Metadata GetTrailers() =>
        _status is null ? throw new InvalidOperationException("The call has not finished; read the response first.")
            : Trailers ?? [];

    /// <summary>Unary and client-streaming: the single response message.</summary>
    public async Task<TResponse> GetResponseAsync()
    {
        // An OK status without a message is a server bug: report INTERNAL even though the wire said OK.
        var message = await ReadNextAsync(_token).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "The server returned OK without a response message.");
        if (await ReadNextAsync(_token).ConfigureAwait(false) is not null)
        {
            throw Fail(new RpcException(StatusCode.Internal, "More than one response message received for a single-response call."));
        }

        return message;
    }

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            _current = await ReadNextAsync(_token).ConfigureAwait(false);
        }
        else
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _token);
            try
            {
                _current = await ReadNextAsync(linked.Token).ConfigureAwait(false);
            }
            catch (RpcException ex) when (cancellationToken.IsCancellationRequested && ex.StatusCode == StatusCode.Cancelled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        return _current is not null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Volatile.Read(ref _finished) == 0)
        {
            _ = Finish(new Status(StatusCode.Cancelled, "Call disposed before it completed."), null);
        }

        _content?.Abort();
        _response?.Dispose();
        _cts?.Dispose();
    }
}
