using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>An external metric the published HorizontalPodAutoscaler scales on besides CPU: replicas =
/// ceil(metric / <see cref="TargetAverageValue"/>). The cluster needs a metrics adapter that serves it (e.g.
/// prometheus-adapter over the OpenTelemetry metric, <c>mlaspire.worker.queue.lag</c> → <c>mlaspire_worker_queue_lag</c>).</summary>
public sealed class AutoscalingMetricAnnotation(string metricName, int targetAverageValue) : IResourceAnnotation
{
    public string MetricName { get; } = metricName;

    public int TargetAverageValue { get; } = targetAverageValue;
}
