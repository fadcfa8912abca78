using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace MlAspire.ServiceDefaults.Tests;

[Collection(nameof(TelemetryTests))] // Activity listeners are process-wide: keep these tests apart from each other.
public sealed partial class TelemetryTests
{
    /// <summary>A real OTLP/HTTP receiver: POST /v1/traces|metrics|logs with protobuf bodies.</summary>
    private sealed class OtlpReceiver
    {
        public ConcurrentQueue<byte[]> Traces { get; } = new();
        public ConcurrentQueue<byte[]> Metrics { get; } = new();
        public ConcurrentQueue<byte[]> Logs { get; } = new();
        public ConcurrentQueue<string> ContentTypes { get; } = new();

        public async Task<LoopbackApp> StartAsync(string url, CancellationToken cancellationToken)
        {
            var builder = LoopbackApp.CreateBuilder();
            builder.WebHost.UseUrls(url);
            var app = builder.Build();
            app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                ContentTypes.Enqueue(request.ContentType ?? "");
                var queue = signal switch { "traces" => Traces, "metrics" => Metrics, "logs" => Logs, _ => null };
                if (queue is null)
                {
                    return Results.NotFound();
                }

                queue.Enqueue(buffer.ToArray());
                return Results.Bytes([], "application/x-protobuf");
            });
            return await LoopbackApp.StartAsync(app, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Pinged {Id}")]
    private static partial void LogPinged(ILogger logger, string id);

    private static async Task<LoopbackApp> StartServiceAsync(Dictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var builder = LoopbackApp.CreateBuilder(settings, name: "fallback-name");
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ping");
        app.MapGet("/ping/{id}", (string id) =>
        {
            LogPinged(logger, id);
            return Results.Text("pong " + id);
        });
        return await LoopbackApp.StartAsync(app, cancellationToken);
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    [Fact]
    public async Task SpansMetricsAndLogsReachARealOtlpHttpEndpoint()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var receiver = new OtlpReceiver();
        await using var collector = await receiver.StartAsync("http://127.0.0.1:0", cts.Token);
        await using var service = await StartServiceAsync(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "telemetry-test",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=replica-7,deployment.environment=test%20env",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        }, cts.Token);
        using var client = new HttpClient { BaseAddress = service.Address };

        (await client.GetAsync("/health", cts.Token)).Dispose();
        Assert.Equal("pong 42", await client.GetStringAsync("/ping/42", cts.Token));

        var ping = await EventuallyAsync(
            () => receiver.Traces.SelectMany(OtlpPayload.ReadSpans).FirstOrDefault(s => s.Name == "GET /ping/{id}"), cts.Token);
        Assert.Equal("telemetry-test", ping.Resource["service.name"]);
        Assert.Equal("replica-7", ping.Resource["service.instance.id"]);
        Assert.Equal("test env", ping.Resource["deployment.environment"]);
        Assert.Equal("/ping/42", ping.Attributes["url.path"]);
        Assert.Equal("GET", ping.Attributes["http.request.method"]);
        Assert.Equal("/ping/{id}", ping.Attributes["http.route"]);
        // Health probes are excluded from traces.
        Assert.DoesNotContain(receiver.Traces.SelectMany(OtlpPayload.ReadSpans),
            s => s.Name.Contains("health", StringComparison.OrdinalIgnoreCase) ||
                 s.Attributes.GetValueOrDefault("url.path") == "/health");

        await EventuallyAsync(
            () => receiver.Metrics.SelectMany(OtlpPayload.ReadMetricNames).FirstOrDefault(n => n == "http.server.request.duration"),
            cts.Token);
        await EventuallyAsync(
            () => receiver.Logs.SelectMany(OtlpPayload.ReadLogBodies).FirstOrDefault(b => b.Contains("Pinged 42", StringComparison.Ordinal)),
            cts.Token);
        Assert.All(receiver.ContentTypes, ct => Assert.Equal("application/x-protobuf", ct));
    }

    [Fact]
    public async Task NothingIsExportedWhenTheEndpointIsUnset()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // If exporters were created anyway they would send to the OTLP default, localhost:4318. Listen there when
        // the port is free, with short export intervals, and expect silence.
        var receiver = new OtlpReceiver();
        await using var collector = IsPortFree(4318) ? await receiver.StartAsync("http://127.0.0.1:4318", cts.Token) : null;
        await using var service = await StartServiceAsync(new()
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "50",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "50",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
        }, cts.Token);
        using var client = new HttpClient { BaseAddress = service.Address };

        Assert.Equal("pong 1", await client.GetStringAsync("/ping/1", cts.Token));
        await Task.Delay(TimeSpan.FromSeconds(1), cts.Token);

        Assert.Empty(receiver.Traces);
        Assert.Empty(receiver.Metrics);
        Assert.Empty(receiver.Logs);
    }

    [Fact]
    public async Task SpansReachAnOtlpGrpcEndpointWithTheConfiguredHeaders()
    {
        // What the Aspire dashboard injects: OTLP over gRPC and an API key header.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var receiver = new OtlpGrpcReceiver();
        await using var collector = await receiver.StartAsync(cts.Token);
        await using var service = await StartServiceAsync(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=dashboard-key",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        }, cts.Token);
        using var client = new HttpClient { BaseAddress = service.Address };

        Assert.Equal("pong 9", await client.GetStringAsync("/ping/9", cts.Token));

        var ping = await EventuallyAsync(
            () => receiver.Traces.SelectMany(OtlpPayload.ReadSpans).FirstOrDefault(s => s.Name == "GET /ping/{id}"), cts.Token);
        Assert.Equal("fallback-name", ping.Resource["service.name"]);
        Assert.NotEmpty(receiver.ApiKeys);
        Assert.All(receiver.ApiKeys, key => Assert.Equal("dashboard-key", key));
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "udp")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url")]
    [InlineData("OTEL_RESOURCE_ATTRIBUTES", "novalue")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "5")]
    public async Task BadTelemetrySettingsFailAtStartNamingTheKey(string key, string value)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { [key] = value });
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
