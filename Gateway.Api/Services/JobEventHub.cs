using System.Collections.Concurrent;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// One subscription to the job-events channel for the whole process, fanned out to the requests watching a job
/// (long polls, event streams, synchronous classify). A terminal event carries the job, so its watchers answer
/// without reading it; watchers also re-read the job hash on a short tick, so a message missed during a reconnect
/// only delays them. The subscription is StackExchange.Redis's: made once, it is renewed by the library on every
/// reconnect. Messages are handled in order (the library's message queue, not its concurrent handlers), so an event
/// stream sees <c>processing</c> before <c>succeeded</c> as the workers published them.
/// </summary>
internal sealed class JobEventHub(IConnectionMultiplexer redis, ILogger<JobEventHub> logger) : BackgroundService
{
    // Watches per job id as copy-on-write arrays: almost every job has one watcher (its classify call or long poll),
    // so a job costs one small array here, not a dictionary of its own.
    private readonly ConcurrentDictionary<string, JobWatch[]> _watches = new(StringComparer.Ordinal);

    /// <summary>Jobs with at least one open watch.</summary>
    internal int WatchedJobs => _watches.Count;

    /// <summary>Starts watching a job; dispose the watch to stop. <paramref name="terminalOnly"/>: succeeded and failed only.</summary>
    public JobWatch Watch(string jobId, bool terminalOnly)
    {
        var watch = new JobWatch(jobId, terminalOnly, Unwatch);
        _watches.AddOrUpdate(jobId, static (_, added) => [added], static (_, existing, added) => [.. existing, added], watch);
        return watch;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = RedisChannel.Literal(QueueKeys.JobEvents);
        var subscriber = redis.GetSubscriber();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queue = await subscriber.SubscribeAsync(channel).ConfigureAwait(false);
                queue.OnMessage(message => OnMessage(message.Message));
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Redis was down when the gateway started: the first SUBSCRIBE failed. Take the channel's queue back out
                // of the library's table (so the next try does not register a second one) and try again.
                try
                {
                    await subscriber.UnsubscribeAsync(channel, handler: null, CommandFlags.FireAndForget).ConfigureAwait(false);
                }
                catch (Exception unsubscribe) when (unsubscribe is RedisException or RedisTimeoutException)
                {
                    // Still down: the queue is out of the table already; there is nothing to undo on the server.
                }

                var delay = TimeSpan.FromSeconds(1);
                Log.SubscribeFailed(logger, ex, delay);
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnMessage(RedisValue message)
    {
        if (!JobStatuses.TryParseEvent((string?)message, out var id, out var status, out var snapshot)
            || !_watches.TryGetValue(id, out var watches))
        {
            return;
        }

        var terminal = JobStatuses.IsTerminal(status);
        var job = terminal && snapshot is not null ? JobStore.FromSnapshot(id, snapshot) : null;
        var change = new JobEvent(status, job is { IsTerminal: true } ? job : null);
        foreach (var watch in watches)
        {
            if (terminal || !watch.TerminalOnly)
            {
                watch.Publish(change);
            }
        }
    }

    private void Unwatch(JobWatch watch)
    {
        // Retried when another watch of the same job was added or removed in between.
        while (_watches.TryGetValue(watch.JobId, out var watches) && Array.IndexOf(watches, watch) >= 0)
        {
            var rest = Array.FindAll(watches, w => w != watch);
            var replaced = rest.Length == 0
                ? _watches.TryRemove(new KeyValuePair<string, JobWatch[]>(watch.JobId, watches))
                : _watches.TryUpdate(watch.JobId, rest, watches);
            if (replaced)
            {
                return;
            }
        }
    }
}
