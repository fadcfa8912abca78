using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlAspire.Redis;

/// <summary>Healthy when a <c>PING</c> round trip succeeds within the configured timeout.</summary>
internal sealed class RedisHealthCheck(RedisClient client, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var rtt = await client.PingAsync(cts.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {rtt.TotalMilliseconds:0.###} ms");
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis did not answer PING.", ex);
        }
    }
}
