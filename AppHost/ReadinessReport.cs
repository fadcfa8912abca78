using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost;

/// <summary>Writes one console line when every resource and replica is Running and healthy (Aspire reports each
/// resource on its own), so a person or a script knows when the whole system is up.</summary>
internal sealed class ReadinessReport(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    DistributedApplicationExecutionContext executionContext,
    ILogger<ReadinessReport> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!executionContext.IsRunMode)
        {
            return;
        }

        var expected = model.Resources
            .Where(r => r is ProjectResource or ExecutableResource or ContainerResource)
            .Where(r => !(r.TryGetLastAnnotation<ResourceSnapshotAnnotation>(out var snapshot) && snapshot.InitialSnapshot.IsHidden))
            .ToDictionary(r => r.Name, r => r.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1, StringComparer.Ordinal);
        var started = TimeProvider.System.GetTimestamp();
        var healthy = new Dictionary<string, (string Resource, bool Healthy)>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (update.Snapshot.IsHidden)
                {
                    // Aspire's own helpers (the dashboard, project rebuilders) are not part of the system.
                    expected.Remove(update.Resource.Name);
                    continue;
                }

                healthy[update.ResourceId] = (update.Resource.Name,
                    update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus is null or HealthStatus.Healthy);
                if (expected.All(e => healthy.Values.Count(h => h.Resource == e.Key && h.Healthy) >= e.Value))
                {
                    var names = string.Join(", ", expected.Select(e => e.Value == 1 ? e.Key : $"{e.Key} ({e.Value} replicas)"));
                    var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                    Log.AllResourcesHealthy(logger, names, seconds);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopped before everything was up: nothing to report
        }
    }
}
