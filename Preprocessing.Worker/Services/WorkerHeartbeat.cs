using Microsoft.Extensions.Options;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>
/// Keeps this worker's heartbeat key (<see cref="QueueKeys.Heartbeat"/>) alive: set with a TTL of
/// <see cref="WorkerOptions.HeartbeatTimeout"/> every <see cref="WorkerOptions.HeartbeatInterval"/>, on a timer of its
/// own, so a worker busy with a long batch (or retrying inference) keeps its jobs, while a dead one's key lapses within
/// the timeout and the other workers take its jobs over. On a graceful stop (after the consume loop has stopped: it is
/// registered first) the key is deleted.
/// </summary>
internal sealed class WorkerHeartbeat(
    IConnectionMultiplexer redis, ConsumerState state, IOptions<WorkerOptions> options, TimeProvider time, ILogger<WorkerHeartbeat> logger)
    : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private readonly IDatabase _db = redis.GetDatabase();
    private bool _failing;

    /// <summary>Sets the heartbeat now (the consume loop calls it before it reads, so no job is read by a worker without one).</summary>
    public Task BeatAsync() =>
        _db.StringSetAsync(QueueKeys.Heartbeat(state.Consumer), time.GetUtcNow().ToUnixTimeMilliseconds(), _options.HeartbeatTimeout);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, time);
        do
        {
            try
            {
                await BeatAsync().ConfigureAwait(false);
                if (_failing)
                {
                    _failing = false;
                    Log.HeartbeatResumed(logger, state.Consumer);
                }
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Redis down or restarting: nobody can take the jobs over meanwhile either. Logged once per outage.
                if (!_failing)
                {
                    _failing = true;
                    Log.HeartbeatFailed(logger, ex, state.Consumer);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _db.KeyDeleteAsync(QueueKeys.Heartbeat(state.Consumer)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // The key lapses by itself within HeartbeatTimeout. ObjectDisposedException: a second, concurrent stop
            // (WebApplicationFactory's StopAsync beside app.Run's own, which disposes the host when it returns) can
            // dispose the multiplexer while this one is still stopping.
        }
    }
}
