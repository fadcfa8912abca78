namespace MlAspire.Hosting.Orchestration;

internal interface IHealthProbe
{
    /// <summary>One check; returns a short reason when unhealthy, null when healthy.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}
