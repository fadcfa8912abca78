using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>Healthy while the consume loop comes round; unhealthy when it has not started, stalled or keeps failing.</summary>
internal sealed class ConsumerHealthCheck(ConsumerState state, IOptions<WorkerOptions> options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Started)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The consume loop has not started reading yet."));
        }

        if (state.LastError is { } error)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The consume loop is failing: " + error));
        }

        var since = time.GetUtcNow() - state.LastTurn;
        return Task.FromResult(since > options.Value.StalledAfter
            ? HealthCheckResult.Unhealthy($"The consume loop has not come round for {since.TotalSeconds:F0} s.")
            : HealthCheckResult.Healthy($"Consumer {state.Consumer} is reading."));
    }
}
