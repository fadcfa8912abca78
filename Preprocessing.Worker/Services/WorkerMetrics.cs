using System.Diagnostics.Metrics;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>The worker's Meter <c>MlAspire.Worker</c>.</summary>
internal sealed class WorkerMetrics : IDisposable
{
    public const string MeterName = "MlAspire.Worker";

    private readonly Meter _meter;
    private long _lag;
    private long _pending;

    public WorkerMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        Processed = _meter.CreateCounter<long>("mlaspire.worker.jobs.processed", "{job}", "Jobs that succeeded");
        Failed = _meter.CreateCounter<long>("mlaspire.worker.jobs.failed", "{job}", "Jobs that failed (bad image, rejected by the model, too many attempts)");
        Retried = _meter.CreateCounter<long>("mlaspire.worker.jobs.retried", "{job}", "Job attempts retried after a transient inference failure");
        DeadLettered = _meter.CreateCounter<long>("mlaspire.worker.jobs.dead_lettered", "{job}", "Jobs moved to the dead-letter stream");
        Reclaimed = _meter.CreateCounter<long>("mlaspire.worker.jobs.reclaimed", "{job}", "Jobs taken over from consumers presumed dead");
        PreprocessingTime = _meter.CreateHistogram<double>("mlaspire.worker.preprocessing.duration", "ms", "Decode + resize + normalize time per image");
        InferenceTime = _meter.CreateHistogram<double>("mlaspire.worker.inference.duration", "ms", "ModelInfer call time per batch");
        BatchSize = _meter.CreateHistogram<int>("mlaspire.worker.batch.size", "{job}", "Images per ModelInfer call");
        _meter.CreateObservableGauge("mlaspire.worker.queue.lag", () => Interlocked.Read(ref _lag), "{job}", "Entries in the jobs stream not yet delivered to the group");
        _meter.CreateObservableGauge("mlaspire.worker.queue.pending", () => Interlocked.Read(ref _pending), "{job}", "Entries delivered but not yet acknowledged");
    }

    public Counter<long> Processed { get; }
    public Counter<long> Failed { get; }
    public Counter<long> Retried { get; }
    public Counter<long> DeadLettered { get; }
    public Counter<long> Reclaimed { get; }
    public Histogram<double> PreprocessingTime { get; }
    public Histogram<double> InferenceTime { get; }
    public Histogram<int> BatchSize { get; }

    public void SetQueueState(long lag, long pending)
    {
        Interlocked.Exchange(ref _lag, lag);
        Interlocked.Exchange(ref _pending, pending);
    }

    public void Dispose() => _meter.Dispose();
}
