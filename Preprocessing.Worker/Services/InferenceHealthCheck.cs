using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlAspire.Grpc;
using MlAspire.Inference.Protocol;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>Healthy when the inference service answers ServerReady with ready = true.</summary>
internal sealed class InferenceHealthCheck(GrpcChannel channel) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await channel.CallInvoker.UnaryAsync(
                InferenceMethods.ServerReady, new ServerReadyRequest(), CallOptions.FromTimeout(TimeSpan.FromSeconds(2), cancellationToken)).ConfigureAwait(false);
            return reply.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The inference service is not ready.");
        }
        catch (RpcException ex)
        {
            return HealthCheckResult.Unhealthy($"The inference service did not answer ({ex.StatusCode}).");
        }
    }
}
