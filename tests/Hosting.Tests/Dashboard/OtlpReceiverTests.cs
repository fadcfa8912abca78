using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using MlAspire.Hosting.Dashboard;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MlAspire.Hosting.Tests.Dashboard;

/// <summary>The receiver against payloads of the real OpenTelemetry .NET SDK exporter (OTLP/HTTP protobuf).</summary>
public sealed class OtlpReceiverTests
{
    [Fact]
    public async Task SpansOfTwoServicesNestByParentSpanIdAcrossServices()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(_ => { }, timeout.Token);
        var server = dashboard.App.Dashboard!;
        using var frontendSource = new ActivitySource("test.frontend");
        using var backendSource = new ActivitySource("test.backend");
        string traceId;
        using (var frontend = Tracing(server, "gateway", "gateway-0", frontendSource.Name))
        using (var backend = Tracing(server, "inference", "inference-0", backendSource.Name))
        {
            using (var root = frontendSource.StartActivity("POST /v1/classify", ActivityKind.Server)!)
            {
                traceId = root.TraceId.ToHexString();
                using (var infer = backendSource.StartActivity("ModelInfer", ActivityKind.Server, root.Context)!)
                {
                    using var run = backendSource.StartActivity("ort.run", ActivityKind.Internal, infer.Context)!;
                    run.SetTag("model", "digits");
                }

                using var publish = frontendSource.StartActivity("XADD mlaspire:jobs", ActivityKind.Producer, root.Context);
            }

            Assert.True(frontend.ForceFlush(10_000));
            Assert.True(backend.ForceFlush(10_000));
        }

        var spans = server.Telemetry.GetTrace(traceId);
        Assert.Equal(4, spans.Count);
        var nested = TelemetryPages.Nest(spans).Select(n => (n.Span.Resource.ServiceName, n.Span.Name, n.Depth)).ToList();
        Assert.Equal(
            [("gateway", "POST /v1/classify", 0), ("inference", "ModelInfer", 1), ("inference", "ort.run", 2), ("gateway", "XADD mlaspire:jobs", 1)],
            nested);
        var byName = spans.ToDictionary(s => s.Name);
        Assert.Equal(byName["POST /v1/classify"].SpanId, byName["ModelInfer"].ParentSpanId);
        Assert.Equal(byName["ModelInfer"].SpanId, byName["ort.run"].ParentSpanId);
        Assert.Equal("inference-0", byName["ort.run"].Resource.InstanceId);
        Assert.Contains(byName["ort.run"].Attributes, a => a.Key == "model" && a.Value == "digits");

        await dashboard.LoginAsync(timeout.Token);
        var list = await dashboard.Client.GetStringAsync(new Uri("/traces", UriKind.Relative), timeout.Token);
        Assert.Contains($"/traces/{traceId}", list, StringComparison.Ordinal);
        Assert.Contains("gateway, inference", list, StringComparison.Ordinal);
        var waterfall = await dashboard.Client.GetStringAsync(new Uri($"/traces/{traceId}", UriKind.Relative), timeout.Token);
        Assert.Contains($"data-span=\"{byName["ort.run"].SpanId}\" data-parent=\"{byName["ModelInfer"].SpanId}\" data-depth=\"2\"", waterfall, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsAndMetricsFromTheSdkAreStoredAndShown()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(_ => { }, timeout.Token);
        var server = dashboard.App.Dashboard!;

        using (var loggers = LoggerFactory.Create(logging => logging.AddOpenTelemetry(options =>
               {
                   options.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("preprocessing", serviceInstanceId: "preprocessing-1"));
                   options.AddProcessor(new SimpleLogRecordExportProcessor(new OtlpLogExporter(Exporter(server, "v1/logs"))));
               })))
        {
            var logger = loggers.CreateLogger("Preprocessing.Batcher");
#pragma warning disable CA1848, CA2254, CA1873 // the test wants a templated message exactly as services log it
            logger.LogInformation("Decoded {Count} images for job {JobId}", 3, "job-17");
            logger.LogWarning("Queue depth {Depth} above threshold", 250);
#pragma warning restore CA1848, CA2254, CA1873
        }

        using var meter = new Meter("test.inference");
        var batch = meter.CreateHistogram<int>("mlaspire_inference_batch_size");
        var pending = meter.CreateUpDownCounter<long>("nv_inference_pending_request_count");
        using (var metrics = Sdk.CreateMeterProviderBuilder()
                   .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("inference", serviceInstanceId: "inference-0"))
                   .AddMeter(meter.Name)
                   .AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(Exporter(server, "v1/metrics")), 60_000))
                   .Build())
        {
            batch.Record(4);
            batch.Record(8);
            pending.Add(5);
            Assert.True(metrics.ForceFlush(10_000));
        }

        var logs = server.Telemetry.GetLogs("preprocessing");
        Assert.Contains(logs, l => l.Message == "Decoded 3 images for job job-17" && l.Severity == "Information" && l.Resource.InstanceId == "preprocessing-1");
        var warning = Assert.Single(server.Telemetry.GetLogs("preprocessing-1", minSeverity: 13));
        Assert.Equal("Queue depth 250 above threshold", warning.Message);
        var histogram = Assert.Single(server.Telemetry.GetMetrics("inference", "mlaspire_inference_batch_size"));
        Assert.Equal(2UL, histogram.Points[^1].Count);
        Assert.Equal(6.0, histogram.Points[^1].Value);
        Assert.Equal(5.0, Assert.Single(server.Telemetry.GetMetrics("inference", "nv_inference_pending_request_count")).Points[^1].Value);

        await dashboard.LoginAsync(timeout.Token);
        var structured = await dashboard.Client.GetStringAsync(new Uri("/structured?resource=preprocessing&level=Warning", UriKind.Relative), timeout.Token);
        Assert.Contains("Queue depth 250 above threshold", structured, StringComparison.Ordinal);
        Assert.DoesNotContain("Decoded 3 images", structured, StringComparison.Ordinal);
        var chart = await dashboard.Client.GetStringAsync(new Uri("/metrics?resource=inference-0&instrument=mlaspire_inference_batch_size", UriKind.Relative), timeout.Token);
        Assert.Contains("<svg", chart, StringComparison.Ordinal);
        Assert.Contains("nv_inference_pending_request_count", chart, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedProtobufGets400AndTheReceiverKeepsWorking()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(_ => { }, timeout.Token);
        using var client = OtlpClient(dashboard.App.Dashboard!);

        foreach (var path in new[] { "v1/traces", "v1/metrics", "v1/logs" })
        {
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), Protobuf([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), timeout.Token);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("invalid OTLP protobuf", await response.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        }

        using var truncatedSpan = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), Protobuf([0x0a, 0x04, 0x12, 0x02, 0x12, 0x00]), timeout.Token);
        Assert.Equal(HttpStatusCode.BadRequest, truncatedSpan.StatusCode); // a span without ids
        using var empty = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), Protobuf([]), timeout.Token);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal("application/x-protobuf", empty.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BodiesOver8MiBGet413WithOrWithoutContentLength()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(_ => { }, timeout.Token);
        using var client = OtlpClient(dashboard.App.Dashboard!);
        var big = new byte[(8 * 1024 * 1024) + 1];

        using var declared = await client.PostAsync(new Uri("v1/logs", UriKind.Relative), Protobuf(big), timeout.Token);
        using var chunkedContent = new StreamContent(new NonSeekableStream(big));
        chunkedContent.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var chunked = await client.PostAsync(new Uri("v1/logs", UriKind.Relative), chunkedContent, timeout.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Fact]
    public async Task TheReceiverWantsItsApiKeyAndBinaryProtobuf()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(_ => { }, timeout.Token);
        using var keyed = OtlpClient(dashboard.App.Dashboard!);
        using var anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = dashboard.App.Dashboard!.OtlpUrl };

        using var noKey = await anonymous.PostAsync(new Uri("v1/traces", UriKind.Relative), Protobuf([]), timeout.Token);
        using var json = await keyed.PostAsync(new Uri("v1/traces", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal("http/protobuf", dashboard.App.Options.OtlpProtocol);
        Assert.Equal(dashboard.App.Dashboard.OtlpUrl, dashboard.App.Options.OtlpEndpoint);
    }

    private static TracerProvider Tracing(DashboardServer server, string service, string instance, string source) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service, serviceInstanceId: instance))
            .AddSource(source)
            .AddProcessor(new SimpleActivityExportProcessor(new OtlpTraceExporter(Exporter(server, "v1/traces"))))
            .Build();

    /// <summary>Exporter options as run mode hands them to a service through OTEL_EXPORTER_OTLP_* variables.</summary>
    private static OtlpExporterOptions Exporter(DashboardServer server, string signalPath) => new()
    {
        Endpoint = new Uri(server.OtlpUrl, signalPath),
        Protocol = OtlpExportProtocol.HttpProtobuf,
        Headers = $"x-otlp-api-key={server.OtlpApiKey}",
        TimeoutMilliseconds = 10_000,
    };

    private static HttpClient OtlpClient(DashboardServer server)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.OtlpUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-otlp-api-key", server.OtlpApiKey);
        return client;
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    /// <summary>Makes HttpClient send the body chunked (no Content-Length).</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
