using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MlAspire.ServiceDefaults.Tests;

/// <summary>
/// A real OTLP/gRPC receiver over cleartext HTTP/2: takes the unary Export calls of the trace, metrics and logs
/// services, keeps each request message and the <c>x-otlp-api-key</c> header, and answers an empty response with
/// <c>grpc-status: 0</c> in the trailers.
/// </summary>
internal sealed class OtlpGrpcReceiver
{
    public ConcurrentQueue<byte[]> Traces { get; } = new();

    public ConcurrentQueue<string> ApiKeys { get; } = new();

    public async Task<LoopbackApp> StartAsync(CancellationToken cancellationToken)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", async (string signal, HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var frame = buffer.ToArray();
            // gRPC message framing: compressed flag (1 byte), big-endian length (4 bytes), message.
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1, 4));
            ApiKeys.Enqueue(context.Request.Headers["x-otlp-api-key"].ToString());
            if (signal == "trace")
            {
                Traces.Enqueue(frame.AsSpan(5, length).ToArray());
            }

            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted);
        });
        return await LoopbackApp.StartAsync(app, cancellationToken);
    }
}
