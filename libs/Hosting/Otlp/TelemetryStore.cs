using MlAspire.Hosting.Otlp.Proto.CollectorLogsV1;
using MlAspire.Hosting.Otlp.Proto.CollectorMetricsV1;
using MlAspire.Hosting.Otlp.Proto.CollectorTraceV1;
using MlAspire.Hosting.Otlp.Proto.MetricsV1;

namespace MlAspire.Hosting.Otlp;

/// <summary>Received telemetry, in memory and bounded (<see cref="TelemetryLimits"/>): the oldest log records,
/// whole traces and metric points are evicted first. Thread-safe.</summary>
public sealed class TelemetryStore
{
    private readonly TelemetryLimits _limits;
    private readonly Lock _gate = new();
    private readonly Queue<LogEntry> _logs = new();
    private readonly Dictionary<string, (List<SpanEntry> Spans, LinkedListNode<string> Node)> _traces = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _traceOrder = new();
    private readonly Dictionary<(string Resource, string Name, string Attributes), SeriesState> _series = [];
    private long _logSequence;
    private int _spanCount;

    public TelemetryStore(TelemetryLimits? limits = null)
    {
        _limits = limits ?? new TelemetryLimits();
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxLogRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxTraces, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxSpans, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxPointsPerSeries, 1);
    }

    public TelemetryLimits Limits => _limits;

    public int LogCount
    {
        get
        {
            lock (_gate)
            {
                return _logs.Count;
            }
        }
    }

    public int TraceCount
    {
        get
        {
            lock (_gate)
            {
                return _traces.Count;
            }
        }
    }

    public int SpanCount
    {
        get
        {
            lock (_gate)
            {
                return _spanCount;
            }
        }
    }

    /// <summary>Every resource that sent anything, by display name.</summary>
    public IReadOnlyList<TelemetryResource> GetResources()
    {
        lock (_gate)
        {
            return [.. _logs.Select(l => l.Resource)
                .Concat(_traces.Values.SelectMany(t => t.Spans).Select(s => s.Resource))
                .Concat(_series.Values.Select(s => s.Resource))
                .Distinct()
                .OrderBy(r => r.DisplayName, StringComparer.Ordinal)];
        }
    }

    /// <summary>The newest <paramref name="max"/> log records (oldest first) from a resource (service name or
    /// instance id), at or above a severity number, containing <paramref name="text"/> (case-insensitive).</summary>
    public IReadOnlyList<LogEntry> GetLogs(string? resource = null, int minSeverity = 0, string? text = null, int max = 500)
    {
        lock (_gate)
        {
            return [.. _logs
                .Where(l => l.Resource.Matches(resource) && l.SeverityNumber >= minSeverity
                    && (string.IsNullOrEmpty(text) || l.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
                        || l.Attributes.Any(a => a.Value.Contains(text, StringComparison.OrdinalIgnoreCase))))
                .TakeLast(max)];
        }
    }

    /// <summary>Traces, newest first.</summary>
    public IReadOnlyList<TraceSummary> GetTraces(string? resource = null, int max = 200)
    {
        lock (_gate)
        {
            var result = new List<TraceSummary>();
            for (var node = _traceOrder.Last; node is not null && result.Count < max; node = node.Previous)
            {
                var spans = _traces[node.Value].Spans;
                if (!spans.Exists(s => s.Resource.Matches(resource)))
                {
                    continue;
                }

                var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
                var root = spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).MinBy(s => s.Start) ?? spans[0];
                var start = spans.Min(s => s.Start);
                var end = spans.Max(s => s.Start + s.Duration);
                result.Add(new TraceSummary(
                    node.Value,
                    $"{root.Resource.ServiceName}: {root.Name}",
                    [.. spans.Select(s => s.Resource.ServiceName).Distinct().Order(StringComparer.Ordinal)],
                    spans.Count,
                    start,
                    end - start,
                    spans.Exists(s => s.Status == "Error")));
            }

            return result;
        }
    }

    /// <summary>The spans of one trace ordered by start time (empty when unknown or evicted).</summary>
    public IReadOnlyList<SpanEntry> GetTrace(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId.ToLowerInvariant(), out var trace) ? [.. trace.Spans.OrderBy(s => s.Start)] : [];
        }
    }

    /// <summary>Metric series, optionally of one resource and/or one instrument.</summary>
    public IReadOnlyList<MetricSeries> GetMetrics(string? resource = null, string? instrument = null)
    {
        lock (_gate)
        {
            return [.. _series.Values
                .Where(s => s.Resource.Matches(resource) && (string.IsNullOrEmpty(instrument) || s.Name == instrument))
                .OrderBy(s => s.Resource.DisplayName, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Attributes, StringComparer.Ordinal)
                .Select(s => new MetricSeries(s.Resource, s.Name, s.Description, s.Unit, s.Kind, s.Attributes, [.. s.Points]))];
        }
    }

    internal int Add(ExportTraceServiceRequest request)
    {
        var spans = new List<SpanEntry>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = OtlpConvert.Resource(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = OtlpConvert.Scope(scopeSpans.Scope);
                foreach (var span in scopeSpans.Spans)
                {
                    if (OtlpConvert.Id(span.TraceId) is not { } traceId || OtlpConvert.Id(span.SpanId) is not { } spanId)
                    {
                        throw new FormatException("A span has no trace_id or span_id.");
                    }

                    var start = OtlpConvert.Time(span.StartTimeUnixNano);
                    var end = OtlpConvert.Time(span.EndTimeUnixNano);
                    spans.Add(new SpanEntry(
                        resource,
                        scope,
                        traceId,
                        spanId,
                        OtlpConvert.Id(span.ParentSpanId),
                        span.Name,
                        span.Kind.ToString().Replace("SpanKind", string.Empty, StringComparison.Ordinal),
                        start,
                        end > start ? end - start : TimeSpan.Zero,
                        span.Status?.Code.ToString().Replace("StatusCode", string.Empty, StringComparison.Ordinal) ?? "Unset",
                        string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
                        OtlpConvert.Attributes(span.Attributes)));
                }
            }
        }

        lock (_gate)
        {
            foreach (var span in spans)
            {
                AddSpan(span);
            }
        }

        return spans.Count;
    }

    internal int Add(ExportLogsServiceRequest request)
    {
        var count = 0;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = OtlpConvert.Resource(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = OtlpConvert.Scope(scopeLogs.Scope);
                foreach (var record in scopeLogs.LogRecords)
                {
                    var attributes = OtlpConvert.Attributes(record.Attributes);
                    var severity = (int)record.SeverityNumber;
                    var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
                    lock (_gate)
                    {
                        _logs.Enqueue(new LogEntry(
                            ++_logSequence,
                            resource,
                            scope,
                            OtlpConvert.Time(time),
                            severity,
                            OtlpConvert.SeverityName(severity, record.SeverityText),
                            OtlpConvert.RenderTemplate(OtlpConvert.Value(record.Body), attributes),
                            OtlpConvert.Id(record.TraceId),
                            OtlpConvert.Id(record.SpanId),
                            attributes));
                        while (_logs.Count > _limits.MaxLogRecords)
                        {
                            _logs.Dequeue();
                        }
                    }

                    count++;
                }
            }
        }

        return count;
    }

    internal int Add(ExportMetricsServiceRequest request)
    {
        var count = 0;
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = OtlpConvert.Resource(resourceMetrics.Resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scopeMetrics.Metrics)
                {
                    foreach (var (attributes, point) in Points(metric))
                    {
                        AddPoint(resource, metric, attributes, point);
                        count++;
                    }
                }
            }
        }

        return count;
    }

    private static IEnumerable<(string Attributes, MetricPoint Point)> Points(Metric metric)
    {
        static string Key(Google.Protobuf.Collections.RepeatedField<Proto.CommonV1.KeyValue> attributes) =>
            string.Join(", ", OtlpConvert.Attributes(attributes).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

        static double Number(NumberDataPoint p) => p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble;

        static double Average(ulong count, double sum) => count == 0 ? 0 : sum / count;

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                return metric.Gauge.DataPoints.Select(p => (Key(p.Attributes), new MetricPoint(OtlpConvert.Time(p.TimeUnixNano), Number(p), null, null)));
            case Metric.DataOneofCase.Sum:
                return metric.Sum.DataPoints.Select(p => (Key(p.Attributes), new MetricPoint(OtlpConvert.Time(p.TimeUnixNano), Number(p), null, null)));
            case Metric.DataOneofCase.Histogram:
                return metric.Histogram.DataPoints.Select(p => (Key(p.Attributes),
                    new MetricPoint(OtlpConvert.Time(p.TimeUnixNano), Average(p.Count, p.Sum), p.Count, p.HasSum ? p.Sum : null)));
            case Metric.DataOneofCase.ExponentialHistogram:
                return metric.ExponentialHistogram.DataPoints.Select(p => (Key(p.Attributes),
                    new MetricPoint(OtlpConvert.Time(p.TimeUnixNano), Average(p.Count, p.Sum), p.Count, p.HasSum ? p.Sum : null)));
            case Metric.DataOneofCase.Summary:
                return metric.Summary.DataPoints.Select(p => (Key(p.Attributes),
                    new MetricPoint(OtlpConvert.Time(p.TimeUnixNano), Average(p.Count, p.Sum), p.Count, p.Sum)));
            default:
                return [];
        }
    }

    private void AddPoint(TelemetryResource resource, Metric metric, string attributes, MetricPoint point)
    {
        lock (_gate)
        {
            var key = (resource.DisplayName, metric.Name, attributes);
            if (!_series.TryGetValue(key, out var series))
            {
                if (_series.Count >= _limits.MaxSeries)
                {
                    return;
                }

                series = new SeriesState(resource, metric.Name, metric.Description, metric.Unit, metric.DataCase.ToString(), attributes);
                _series[key] = series;
            }

            series.Points.Enqueue(point);
            while (series.Points.Count > _limits.MaxPointsPerSeries)
            {
                series.Points.Dequeue();
            }
        }
    }

    private void AddSpan(SpanEntry span)
    {
        if (!_traces.TryGetValue(span.TraceId, out var trace))
        {
            trace = ([], _traceOrder.AddLast(span.TraceId));
            _traces[span.TraceId] = trace;
        }

        // Evict whole traces, oldest first, never the one receiving this span.
        while ((_traces.Count > _limits.MaxTraces || _spanCount >= _limits.MaxSpans) && _traceOrder.First is { } oldest && oldest.Value != span.TraceId)
        {
            _spanCount -= _traces[oldest.Value].Spans.Count;
            _traces.Remove(oldest.Value);
            _traceOrder.RemoveFirst();
        }

        if (_spanCount >= _limits.MaxSpans)
        {
            return; // one trace alone fills the store: drop its newest spans.
        }

        trace.Spans.Add(span);
        _spanCount++;
    }

    private sealed class SeriesState(TelemetryResource resource, string name, string description, string unit, string kind, string attributes)
    {
        public TelemetryResource Resource { get; } = resource;

        public string Name { get; } = name;

        public string Description { get; } = description;

        public string Unit { get; } = unit;

        public string Kind { get; } = kind;

        public string Attributes { get; } = attributes;

        public Queue<MetricPoint> Points { get; } = new();
    }
}
