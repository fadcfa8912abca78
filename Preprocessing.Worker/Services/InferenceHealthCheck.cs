using Microsoft.Extensions.Diagnostics.HealthChecks;
using Grpc.Core;
using MlAspire.Inference.Protocol;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>Healthy when the inference service answers ServerReady with ready = true.</summary>
internal sealed class InferenceHealthCheck(GRPCInferenceService.GRPCInferenceServiceClient client, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await client.ServerReadyAsync(
                new ServerReadyRequest(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(2), cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The inference service is not ready.");
        }
        catch (RpcException ex)
        {
            return HealthCheckResult.Unhealthy($"The inference service did not answer ({ex.StatusCode}).");
        }
    }
}
