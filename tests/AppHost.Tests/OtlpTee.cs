using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using MlAspire.AppHost.Tests.Otlp.CollectorTraceV1;

namespace MlAspire.AppHost.Tests;

/// <summary>
/// An OTLP/HTTP (protobuf) receiver on a loopback port that the AppHost's services export to. It decodes every trace
/// export it gets (so a test sees exactly the spans the services sent) and passes every export, traces, metrics and
/// logs alike, on unchanged to the Aspire dashboard's OTLP/HTTP endpoint, answering with the dashboard's answer: the
/// dashboard shows what it would have shown without the receiver in between.
/// </summary>
public sealed class OtlpTee : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward = new();
    private readonly ConcurrentQueue<SeenSpan> _spans = new();

    private OtlpTee(WebApplication app) => _app = app;

    /// <summary>Base URL for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyCollection<SeenSpan> Spans => _spans;

    /// <param name="dashboardOtlpHttp">The dashboard's OTLP/HTTP base URL, or null while it has none yet (exports then get 503 and are retried).</param>
    public static async Task<OtlpTee> StartAsync(Func<Uri?> dashboardOtlpHttp, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        var tee = new OtlpTee(app);
        app.MapPost("/v1/{signal}", (string signal, HttpContext context) => tee.HandleAsync(dashboardOtlpHttp, signal, context));
        await app.StartAsync(cancellationToken);
        tee.Endpoint = new Uri(app.Urls.Single());
        return tee;
    }

    private async Task HandleAsync(Func<Uri?> dashboardOtlpHttp, string signal, HttpContext context)
    {
        if (dashboardOtlpHttp() is not { } dashboard)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        if (signal == "traces")
        {
            Record(ExportTraceServiceRequest.Parser.ParseFrom(bytes));
        }

        using var forward = new HttpRequestMessage(HttpMethod.Post, new Uri(dashboard, "/v1/" + signal)) { Content = new ByteArrayContent(bytes) };
        forward.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.StartsWith("x-otlp-", StringComparison.OrdinalIgnoreCase))
            {
                forward.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var answer = await _forward.SendAsync(forward, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private void Record(ExportTraceServiceRequest request)
    {
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var attributes = resourceSpans.Resource?.Attributes.ToDictionary(a => a.Key, a => a.Value?.StringValue ?? "") ?? [];
            var service = attributes.GetValueOrDefault("service.name", "");
            var instance = attributes.GetValueOrDefault("service.instance.id", "");
            foreach (var span in resourceSpans.ScopeSpans.SelectMany(s => s.Spans))
            {
                _spans.Enqueue(new SeenSpan(Hex(span.TraceId), Hex(span.SpanId), Hex(span.ParentSpanId), service, instance, span.Name));
            }
        }
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _forward.Dispose();
    }
}
