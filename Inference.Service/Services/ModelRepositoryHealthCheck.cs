using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlAspire.Inference.Service.Services;

/// <summary>Unhealthy while models load or when none could; degraded when some failed; healthy when all serve.</summary>
internal sealed class ModelRepositoryHealthCheck(ModelRepository repository) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!repository.IsLoaded)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Models are loading."));
        }

        var models = repository.Models;
        var ready = models.Count(m => m.Status == ModelStatus.Ready);
        var failed = models.Where(m => m.Status == ModelStatus.Failed).Select(m => m.Name).ToList();
        if (ready == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                models.Count == 0 ? $"No model found in '{repository.RepositoryPath}'." : $"No model could be loaded ({string.Join(", ", failed)})."));
        }

        return Task.FromResult(failed.Count > 0
            ? HealthCheckResult.Degraded($"{ready} model(s) ready; failed: {string.Join(", ", failed)}.")
            : HealthCheckResult.Healthy($"{ready} model(s) ready."));
    }
}
