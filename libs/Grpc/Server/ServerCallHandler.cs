using System.Diagnostics;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace MlAspire.Grpc.Internal;

/// <summary>Serves one method: validates the request, runs the (intercepted) handler, sends the status.</summary>
internal sealed class ServerCallHandler<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    // Kestrel's default whole-body cap (30 MB) only matters for unary calls when the message limit is near it.
    private const long UnaryBodyLimitCheck = 29_000_000;

    private readonly Method<TRequest, TResponse> _method;
    private readonly GrpcServerOptions _options;
    private readonly GrpcServerDiagnostics _diagnostics;
    private readonly ILogger _logger;
    private readonly UnaryServerMethod<TRequest, TResponse>? _unary;
    private readonly ServerStreamingServerMethod<TRequest, TResponse>? _serverStreaming;
    private readonly ClientStreamingServerMethod<TRequest, TResponse>? _clientStreaming;
    private readonly DuplexStreamingServerMethod<TRequest, TResponse>? _duplex;

    public ServerCallHandler(Method<TRequest, TResponse> method, Delegate handler, GrpcServerOptions options,
        GrpcServerDiagnostics diagnostics, ILogger logger)
    {
        _method = method;
        _options = options;
        _diagnostics = diagnostics;
        _logger = logger;
        var interceptors = options.Interceptors;
        switch (handler)
        {
            case UnaryServerMethod<TRequest, TResponse> unary:
                for (var i = interceptors.Count - 1; i >= 0; i--)
                {
                    var (next, interceptor) = (unary, interceptors[i]);
                    unary = (request, context) => interceptor.UnaryServerHandler(request, context, next);
                }

                _unary = unary;
                break;
            case ServerStreamingServerMethod<TRequest, TResponse> serverStreaming:
                for (var i = interceptors.Count - 1; i >= 0; i--)
                {
                    var (next, interceptor) = (serverStreaming, interceptors[i]);
                    serverStreaming = (request, stream, context) =>
                        interceptor.ServerStreamingServerHandler(request, stream, context, next);
                }

                _serverStreaming = serverStreaming;
                break;
            case ClientStreamingServerMethod<TRequest, TResponse> clientStreaming:
                for (var i = interceptors.Count - 1; i >= 0; i--)
                {
                    var (next, interceptor) = (clientStreaming, interceptors[i]);
                    clientStreaming = (stream, context) => interceptor.ClientStreamingServerHandler(stream, context, next);
                }

                _clientStreaming = clientStreaming;
                break;
            case DuplexStreamingServerMethod<TRequest, TResponse> duplex:
                for (var i = interceptors.Count - 1; i >= 0; i--)
                {
                    var (next, interceptor) = (duplex, interceptors[i]);
                    duplex = (requests, responses, context) =>
                        interceptor.DuplexStreamingServerHandler(requests, responses, context, next);
                }

                _duplex = duplex;
                break;
            default:
                throw new ArgumentException($"Handler type does not match method {method.FullName}.", nameof(handler));
        }
    }

    public async Task HandleAsync(HttpContext httpContext)
    {
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        if (!HttpProtocol.IsHttp2(httpContext.Request.Protocol) && !HttpProtocol.IsHttp3(httpContext.Request.Protocol))
        {
            httpContext.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            httpContext.Response.Headers.Upgrade = "h2c";
            return;
        }

        // gRPC limits each message, not the whole body: lift Kestrel's 30 MB body cap, and its minimum request data
        // rate for streams whose requests may legitimately pause (client and duplex streaming).
        if ((_method.Type != MethodType.Unary || _options.MaxReceiveMessageSize > UnaryBodyLimitCheck)
            && httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (_method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming
            && httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }

        var context = new ServerCallContext(httpContext, _method, _options);
        var started = Stopwatch.GetTimestamp();
        _diagnostics.CallStarted(_method);
        using var activity = GrpcServerDiagnostics.StartActivity(httpContext, _method);
        Status status;
        try
        {
            context.Initialize();
            if (_unary is not null)
            {
                // Unary fast path, inline so a call costs one async frame: buffer the body to END_STREAM, then
                // parse exactly one message (errors that can be judged early are raised as soon as seen).
                var reader = httpContext.Request.BodyReader;
                var token = context.DeadlineToken;
                TRequest? request = null;
                while (request is null)
                {
                    var result = await reader.ReadAsync(token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    try
                    {
                        request = context.TryTakeSingleRequest(buffer, result.IsCompleted, _method.RequestParser);
                    }
                    catch
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        throw;
                    }

                    reader.AdvanceTo(request is null ? buffer.Start : buffer.End, buffer.End);
                }

                WriteFinal(context, await _unary(request, context).ConfigureAwait(false));
            }
            else
            {
                await InvokeAsync(context).ConfigureAwait(false);
            }

            status = context.Status;
        }
        catch (Exception ex)
        {
            status = context.StatusFromException(ex, _logger);
        }

        try
        {
            context.Complete(status);
        }
        finally
        {
            context.DisposeDeadline();
            _diagnostics.CallCompleted(_method, status.StatusCode, context.MessagesSent, context.MessagesReceived,
                Stopwatch.GetElapsedTime(started), activity);
        }
    }

    private async Task InvokeAsync(ServerCallContext context)
    {
        switch (_method.Type)
        {
            case MethodType.ServerStreaming:
            {
                var request = await context.ReadSingleMessageAsync(_method.RequestParser).ConfigureAwait(false);
                await _serverStreaming!(request, new HttpServerStreamWriter<TResponse>(context), context).ConfigureAwait(false);
                break;
            }

            case MethodType.ClientStreaming:
            {
                var reader = new HttpServerStreamReader<TRequest>(context, _method.RequestParser);
                var response = await _clientStreaming!(reader, context).ConfigureAwait(false);
                WriteFinal(context, response);
                break;
            }

            default:
            {
                var reader = new HttpServerStreamReader<TRequest>(context, _method.RequestParser);
                await _duplex!(reader, new HttpServerStreamWriter<TResponse>(context), context).ConfigureAwait(false);
                break;
            }
        }
    }

    private static void WriteFinal(ServerCallContext context, TResponse? response)
    {
        if (response is null)
        {
            throw new InvalidOperationException("The handler returned a null response message.");
        }

        if (context.Status.StatusCode == StatusCode.OK)
        {
            // Not flushed: the DATA frame and the trailers leave together when the request completes.
            context.WriteMessage(response);
        }
    }
}
