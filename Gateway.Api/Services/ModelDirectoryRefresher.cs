using Grpc.Core;
using Microsoft.Extensions.Options;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Lists the inference service's models at start and every <see cref="GatewayOptions.ModelCacheDuration"/> (at least
/// every second), so the gateway knows which models to queue for while the service is restarting. A failed refresh
/// keeps the names from the last one.
/// </summary>
internal sealed class ModelDirectoryRefresher(ModelDirectory directory, IOptions<GatewayOptions> options, TimeProvider time, ILogger<ModelDirectoryRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.ModelCacheDuration < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.Value.ModelCacheDuration;
        using var timer = new PeriodicTimer(period, time);
        do
        {
            try
            {
                await directory.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ModelRefreshFailed(logger, ex.StatusCode);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
