using System.IO.Compression;
using System.Net;
using MlAspire.Grpc.Internal;
using Microsoft.AspNetCore.Http;

namespace MlAspire.Grpc;

/// <summary>The server side of one call: deadline, cancellation, metadata and the HTTP/2 request behind it.</summary>
public sealed partial class ServerCallContext
{
    private readonly HttpContext _httpContext;
    private readonly GrpcServerOptions _options;
    private CancellationTokenSource? _deadlineCts;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Dictionary<object, object?>? _userState;

    internal ServerCallContext(HttpContext httpContext, IMethod method, GrpcServerOptions options)
    {
        _httpContext = httpContext;
        _options = options;
        Method = method;
        ResponseCompression = options.ResponseCompressionAlgorithm;
    }

    public IMethod Method { get; }

    /// <summary>"ipv4:127.0.0.1:5000" / "ipv6:[::1]:5000", or "unknown".</summary>
    public string Peer
    {
        get
        {
            var connection = _httpContext.Connection;
            return connection.RemoteIpAddress switch
            {
                null => "unknown",
                { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"ipv6:[{ip}]:{connection.RemotePort}",
                IPAddress ip => $"ipv4:{ip}:{connection.RemotePort}",
            };
        }
    }

    /// <summary>The call's deadline in UTC, <see cref="DateTime.MaxValue"/> when the client sent none.</summary>
    public DateTime Deadline { get; private set; } = DateTime.MaxValue;

    /// <summary>Cancelled when the client resets the stream or the deadline passes.</summary>
    /// <remarks>Read lazily: Kestrel creates the request-aborted token source on first access.</remarks>
    public CancellationToken CancellationToken => _deadlineCts?.Token ?? _httpContext.RequestAborted;

    /// <summary>Request metadata (reserved and pseudo headers excluded; "-bin" values base64-decoded).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Trailers sent with the status when the call ends.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= [];

    /// <summary>The status sent when the handler returns normally (throw <see cref="RpcException"/> for errors).</summary>
    public Status Status { get; set; } = Status.Ok;

    /// <summary>
    /// Compression for response messages ("gzip" or null), used when the client lists it in grpc-accept-encoding.
    /// Takes effect if set before the response headers are sent.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>Whether the most recently read request message arrived with the compressed flag set.</summary>
    public bool RequestMessageCompressed { get; private set; }

    public CompressionLevel CompressionLevel => _options.CompressionLevel;

    public IDictionary<object, object?> UserState => _userState ??= [];

    public HttpContext GetHttpContext() => _httpContext;

    /// <summary>Sends response headers now (at most once, before the first message).</summary>
    public async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        if (_headersSent)
        {
            throw new InvalidOperationException("Response headers have already been sent.");
        }

        var headers = _httpContext.Response.Headers;
        foreach (var entry in responseHeaders)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key))
            {
                continue;
            }

            headers.Append(entry.Key,
                entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
        }

        PrepareResponseHeaders();
        _headersSent = true;
        await _httpContext.Response.StartAsync(CancellationToken).ConfigureAwait(false);
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in _httpContext.Request.Headers)
        {
            var key = header.Key.ToLowerInvariant();
            if (GrpcProtocol.IsReservedHeader(key))
            {
                continue;
            }

            var binary = key.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal);
            foreach (var value in header.Value)
            {
                if (value is null)
                {
                    continue;
                }

                if (!binary)
                {
                    metadata.Add(new MetadataEntry(key, value));
                    continue;
                }

                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!GrpcProtocol.TryDecodeBinaryHeader(part, out var bytes))
                    {
                        throw new RpcException(StatusCode.Internal, $"Header '{key}' is not valid base64.");
                    }

                    metadata.Add(new MetadataEntry(key, bytes));
                }
            }
        }

        return metadata;
    }
}
