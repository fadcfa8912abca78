using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlAspire.Inference.Service.Services;

/// <summary>
/// Inference metrics with Triton's names and meanings: request success/failure (with reason), inference count (batch
/// items) and execution count (model runs) — their ratio is the average batch size —, cumulative queue and compute
/// durations in microseconds, and pending requests.
/// </summary>
internal sealed class InferenceMetrics : IDisposable
{
    public const string MeterName = "MlAspire.Inference";

    private readonly Meter _meter;
    private readonly Counter<long> _success;
    private readonly Counter<long> _failure;
    private readonly Counter<long> _inferenceCount;
    private readonly Counter<long> _executionCount;
    private readonly Counter<long> _requestDuration;
    private readonly Counter<long> _queueDuration;
    private readonly Counter<long> _computeDuration;
    private readonly Histogram<int> _batchSize;
    private readonly UpDownCounter<long> _pending;

    public InferenceMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _success = _meter.CreateCounter<long>("nv_inference_request_success", "{request}", "Successful inference requests");
        _failure = _meter.CreateCounter<long>("nv_inference_request_failure", "{request}", "Failed inference requests, by reason");
        _inferenceCount = _meter.CreateCounter<long>("nv_inference_count", "{inference}", "Inferences performed (a batch of n counts n)");
        _executionCount = _meter.CreateCounter<long>("nv_inference_exec_count", "{execution}", "Model executions (a batch counts once)");
        _requestDuration = _meter.CreateCounter<long>("nv_inference_request_duration_us", "us", "Cumulative end-to-end request time");
        _queueDuration = _meter.CreateCounter<long>("nv_inference_queue_duration_us", "us", "Cumulative time requests waited in the queue");
        _computeDuration = _meter.CreateCounter<long>("nv_inference_compute_infer_duration_us", "us", "Cumulative model execution time");
        _batchSize = _meter.CreateHistogram<int>("mlaspire_inference_batch_size", "{inference}", "Rows per model execution");
        _pending = _meter.CreateUpDownCounter<long>("nv_inference_pending_request_count", "{request}", "Requests waiting or running");
    }

    public void RequestSucceeded(string model, string version, TimeSpan duration)
    {
        var tags = Tags(model, version);
        _success.Add(1, tags);
        _requestDuration.Add((long)duration.TotalMicroseconds, tags);
    }

    public void RequestFailed(string model, string version, string reason) =>
        _failure.Add(1, new KeyValuePair<string, object?>("model", model), new("version", version), new("reason", reason));

    public void Executed(string model, string version, int rows, TimeSpan compute)
    {
        var tags = Tags(model, version);
        _executionCount.Add(1, tags);
        _inferenceCount.Add(rows, tags);
        _computeDuration.Add((long)compute.TotalMicroseconds, tags);
        _batchSize.Record(rows, tags);
    }

    public void Queued(string model, string version, TimeSpan waited) =>
        _queueDuration.Add((long)waited.TotalMicroseconds, Tags(model, version));

    public void PendingChanged(string model, string version, int delta) => _pending.Add(delta, Tags(model, version));

    public void Dispose() => _meter.Dispose();

    private static TagList Tags(string model, string version) => new() { { "model", model }, { "version", version } };
}
