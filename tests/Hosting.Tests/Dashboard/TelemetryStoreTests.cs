using Google.Protobuf;
using MlAspire.Hosting.Otlp;
using MlAspire.Hosting.Otlp.Proto.CollectorLogsV1;
using MlAspire.Hosting.Otlp.Proto.CollectorMetricsV1;
using MlAspire.Hosting.Otlp.Proto.CollectorTraceV1;
using MlAspire.Hosting.Otlp.Proto.CommonV1;
using MlAspire.Hosting.Otlp.Proto.LogsV1;
using MlAspire.Hosting.Otlp.Proto.MetricsV1;
using MlAspire.Hosting.Otlp.Proto.TraceV1;
using ProtoResource = MlAspire.Hosting.Otlp.Proto.ResourceV1.Resource;

namespace MlAspire.Hosting.Tests.Dashboard;

public sealed class TelemetryStoreTests
{
    [Fact]
    public void LogsBeyondTheLimitEvictTheOldest()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxLogRecords = 3 });

        for (var i = 0; i < 5; i++)
        {
            store.Add(Logs("svc", $"message {i}"));
        }

        Assert.Equal(["message 2", "message 3", "message 4"], store.GetLogs().Select(l => l.Message));
    }

    [Fact]
    public void TracesBeyondTheLimitEvictTheOldestWholeTrace()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxTraces = 2 });

        store.Add(Spans("svc", Span(1, 1, 0), Span(1, 2, 1)));
        store.Add(Spans("svc", Span(2, 3, 0)));
        store.Add(Spans("svc", Span(3, 4, 0)));

        Assert.Empty(store.GetTrace(TraceId(1)));
        Assert.Equal(2, store.TraceCount);
        Assert.Equal(2, store.SpanCount);
        Assert.Equal([TraceId(3), TraceId(2)], store.GetTraces().Select(t => t.TraceId));
    }

    [Fact]
    public void SpansBeyondTheLimitEvictOldTracesButKeepTheCurrentOne()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxSpans = 3 });

        store.Add(Spans("svc", Span(1, 1, 0), Span(1, 2, 1)));
        store.Add(Spans("svc", Span(2, 3, 0), Span(2, 4, 3), Span(2, 5, 4), Span(2, 6, 5)));

        Assert.Empty(store.GetTrace(TraceId(1)));
        Assert.Equal(3, store.GetTrace(TraceId(2)).Count);
        Assert.Equal(3, store.SpanCount);
    }

    [Fact]
    public void MetricSeriesKeepTheLastPointsAndAverageHistograms()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxPointsPerSeries = 2 });
        for (var i = 1; i <= 3; i++)
        {
            var metric = new Metric { Name = "mlaspire_inference_batch_size", Histogram = new Histogram() };
            metric.Histogram.DataPoints.Add(new HistogramDataPoint { Count = (ulong)i, Sum = 8.0 * i, TimeUnixNano = (ulong)i * 1_000_000_000 });
            var request = new ExportMetricsServiceRequest();
            request.ResourceMetrics.Add(new ResourceMetrics { Resource = Resource("inference"), ScopeMetrics = { new ScopeMetrics { Metrics = { metric } } } });
            store.Add(request);
        }

        var series = Assert.Single(store.GetMetrics("inference", "mlaspire_inference_batch_size"));
        Assert.Equal([2UL, 3UL], series.Points.Select(p => p.Count!.Value));
        Assert.All(series.Points, p => Assert.Equal(8.0, p.Value));
    }

    [Fact]
    public void TemplateBodiesAreRenderedFromAttributes()
    {
        var store = new TelemetryStore();
        var request = Logs("svc", "Processed {Count} images in {Elapsed:0.0} ms");
        request.ResourceLogs[0].ScopeLogs[0].LogRecords[0].Attributes.Add(new KeyValue { Key = "Count", Value = new AnyValue { IntValue = 7 } });
        request.ResourceLogs[0].ScopeLogs[0].LogRecords[0].Attributes.Add(new KeyValue { Key = "Elapsed", Value = new AnyValue { DoubleValue = 1.5 } });

        store.Add(request);

        Assert.Equal("Processed 7 images in 1.5 ms", Assert.Single(store.GetLogs()).Message);
    }

    internal static string TraceId(int n) => Convert.ToHexStringLower(Id(n, 16).Span);

    private static ByteString Id(int n, int length)
    {
        var bytes = new byte[length];
        bytes[^1] = (byte)n;
        bytes[0] = 0xab;
        return ByteString.CopyFrom(bytes);
    }

    private static Span Span(int trace, int id, int parent) => new()
    {
        TraceId = Id(trace, 16),
        SpanId = Id(id, 8),
        ParentSpanId = parent == 0 ? ByteString.Empty : Id(parent, 8),
        Name = $"span {id}",
        StartTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)id,
        EndTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)id + 1000,
    };

    private static ProtoResource Resource(string service) =>
        new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } };

    private static ExportTraceServiceRequest Spans(string service, params Span[] spans)
    {
        var request = new ExportTraceServiceRequest();
        var scope = new ScopeSpans();
        scope.Spans.AddRange(spans);
        request.ResourceSpans.Add(new ResourceSpans { Resource = Resource(service), ScopeSpans = { scope } });
        return request;
    }

    private static ExportLogsServiceRequest Logs(string service, string body)
    {
        var request = new ExportLogsServiceRequest();
        var record = new LogRecord { Body = new AnyValue { StringValue = body }, SeverityNumber = SeverityNumber.Info, TimeUnixNano = 1_700_000_000_000_000_000UL };
        request.ResourceLogs.Add(new ResourceLogs { Resource = Resource(service), ScopeLogs = { new ScopeLogs { LogRecords = { record } } } });
        return request;
    }
}
