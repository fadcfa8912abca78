using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;

namespace MlAspire.Grpc.Internal;

/// <summary>Response side: headers, messages, trailers, and the mapping of every failure to a status.</summary>
internal sealed partial class GrpcCall<TRequest, TResponse>
{
    private Task EnsureResponseAsync() => _responseTask ??= EnsureResponseCoreAsync();

    private async Task EnsureResponseCoreAsync()
    {
        HttpResponseMessage response;
        try
        {
            response = await _sendTask!.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }

        _response = response;
        _channel.Picker.ReportSuccess(_addressIndex);
        _headerSource = response.Headers;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = (int)response.StatusCode;
            throw Finish(new Status(GrpcProtocol.FromHttpStatus(code), $"Bad gRPC response. HTTP status code: {code}"), null);
        }

        var contentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? types.FirstOrDefault() : null;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw Finish(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}"), null);
        }

        if (response.Headers.Contains(GrpcProtocol.StatusTrailer))
        {
            // Trailers-Only response: the status travels in the headers.
            _trailerSource = response.Headers;
            var status = ReadStatus(response.Headers);
            _ = Finish(status, null);
            return;
        }

        if (response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var encodings))
        {
            var encoding = encodings.FirstOrDefault() ?? string.Empty;
            if (string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase))
            {
                _responseGzip = true;
            }
            else if (!string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
            {
                throw Finish(new Status(StatusCode.Internal, $"Unsupported response grpc-encoding '{encoding}'."), null);
            }
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(_token).ConfigureAwait(false);
            _reader = PipeReader.Create(stream);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
    }

    /// <summary>The next response message, or null after an OK status; throws <see cref="RpcException"/> otherwise.</summary>
    private async ValueTask<TResponse?> ReadNextAsync(CancellationToken cancellationToken)
    {
        await EnsureResponseAsync().ConfigureAwait(false);
        if (_status is { } finished)
        {
            return finished.StatusCode == StatusCode.OK ? null : throw new RpcException(finished, Trailers);
        }

        try
        {
            var (message, _) = await GrpcMessageIO.ReadMessageAsync(_reader!, _method.ResponseParser,
                _channel.Options.MaxReceiveMessageSize, _responseGzip, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                GrpcClientDiagnostics.MessageReceived(_method);
                return message;
            }
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }

        _trailerSource = _response!.TrailingHeaders;
        var status = ReadStatus(_response.TrailingHeaders);
        var exception = Finish(status, null);
        return status.StatusCode == StatusCode.OK ? null : throw exception;
    }

    /// <summary>Maps a failure to a status, ends the call (resetting the stream) and returns the exception to throw.</summary>
    private RpcException Fail(Exception exception)
    {
        Status status;
        if (exception is RpcException rpc)
        {
            status = rpc.Status;
        }
        else if (_options.CancellationToken.IsCancellationRequested)
        {
            status = new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }
        else if (_cts is { IsCancellationRequested: true } && !_disposed && _options.Deadline is not null)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else
        {
            status = MapTransportFailure(exception);
        }

        return Finish(status, exception);
    }

    private Status MapTransportFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError
                    or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                    or HttpRequestError.ProxyTunnelError } connect:
                    _channel.Picker.ReportConnectFailure(_addressIndex);
                    return new Status(StatusCode.Unavailable, "Error connecting to the server: " + connect.Message);
                case HttpProtocolException protocol:
                    return new Status(FromHttp2ErrorCode(protocol.ErrorCode),
                        $"HTTP/2 stream reset by the server (error code {protocol.ErrorCode}).");
            }
        }

        return exception switch
        {
            OperationCanceledException => new Status(StatusCode.Cancelled, "Call canceled."),
            HttpRequestException or IOException => new Status(StatusCode.Unavailable, "Error talking to the server: " + exception.Message),
            _ => new Status(StatusCode.Internal, "Error in the gRPC client: " + exception.Message),
        };
    }

    /// <summary>RST_STREAM error codes to status (PROTOCOL-HTTP2.md, "Errors").</summary>
    private static StatusCode FromHttp2ErrorCode(long code) => code switch
    {
        0x7 => StatusCode.Unavailable,
        0x8 => StatusCode.Cancelled,
        0xb => StatusCode.ResourceExhausted,
        0xc => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    /// <summary>Records the final status once (metrics, span); a non-OK status resets the HTTP/2 stream.</summary>
    private RpcException Finish(Status status, Exception? exception)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _status = status;
            GrpcClientDiagnostics.CallCompleted(_method, status.StatusCode, Stopwatch.GetElapsedTime(_startTimestamp));
            if (_activity is not null)
            {
                _activity.SetTag("rpc.grpc.status_code", (int)status.StatusCode);
                if (status.StatusCode != StatusCode.OK)
                {
                    _activity.SetStatus(ActivityStatusCode.Error, status.Detail);
                }

                _activity.Dispose();
            }

            if (status.StatusCode != StatusCode.OK)
            {
                _content?.Abort();
                _response?.Dispose();
                try
                {
                    _cts?.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Already disposed by Dispose(); nothing left to cancel.
                }
            }
        }

        return new RpcException(_status ?? status, Trailers, exception);
    }

    private static Status ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusTrailer, out var values))
        {
            return new Status(StatusCode.Unknown, "No grpc-status found on the response.");
        }

        var code = GrpcProtocol.ParseStatus(values.FirstOrDefault(), out var valid);
        if (!valid)
        {
            return new Status(StatusCode.Unknown, "Invalid grpc-status on the response.");
        }

        var detail = headers.TryGetValues(GrpcProtocol.MessageTrailer, out var messages)
            ? GrpcProtocol.PercentDecode(messages.FirstOrDefault() ?? string.Empty)
            : string.Empty;
        return new Status((StatusCode)code, detail);
    }

    private static Metadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers.NonValidated)
        {
            var key = name.ToLowerInvariant();
            if (GrpcProtocol.IsReservedHeader(key) || key is "date" or "server")
            {
                continue;
            }

            var binary = key.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal);
            foreach (var value in values)
            {
                if (!binary)
                {
                    metadata.Add(new MetadataEntry(key, value));
                    continue;
                }

                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (GrpcProtocol.TryDecodeBinaryHeader(part, out var bytes))
                    {
                        metadata.Add(new MetadataEntry(key, bytes));
                    }
                }
            }
        }

        return metadata;
    }
}
