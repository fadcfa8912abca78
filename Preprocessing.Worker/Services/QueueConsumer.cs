using Microsoft.Extensions.Options;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>
/// The consume loop: XREADGROUP as this process's consumer, fill the micro-batch briefly, process; at start and every
/// <see cref="WorkerOptions.ClaimInterval"/> take over jobs that other (dead) consumers left pending (XAUTOCLAIM).
/// On shutdown it stops reading; jobs not finished stay pending for another worker.
/// </summary>
/// <remarks>
/// StackExchange.Redis multiplexes every caller over one connection, so it has no blocking XREADGROUP (a blocked read
/// would stall the gateway-facing scripts and every other command behind it). The loop reads without BLOCK; when the
/// stream has nothing for it, it waits for a message on <see cref="QueueKeys.JobsQueued"/> (the gateway's enqueue script
/// publishes one as it stores jobs) or for <see cref="WorkerOptions.ReadBlock"/>, whichever comes first, then reads
/// again. The bell is cleared before each read, so a submission between the read and the wait still wakes it.
/// </remarks>
internal sealed class QueueConsumer(
    IConnectionMultiplexer redis,
    JobProcessor processor,
    WorkerHeartbeat heartbeat,
    LostJobRecovery recovery,
    ConsumerState state,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private readonly IDatabase _db = redis.GetDatabase();
    private readonly QueueWakeUp _wakeUp = new();
    private readonly RedisChannel _jobsQueued = RedisChannel.Literal(QueueKeys.JobsQueued);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumer = state.Consumer;
        Log.ConsumerStarted(logger, consumer, QueueKeys.Jobs, QueueKeys.WorkersGroup);
        var groupReady = false;
        var groupSeen = false;
        var subscribed = false;
        var ownPendingDone = false;
        var nextClaim = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!subscribed)
                {
                    await SubscribeAsync().ConfigureAwait(false);
                    subscribed = true;
                }

                if (!groupReady)
                {
                    await heartbeat.BeatAsync().ConfigureAwait(false);
                    if (await CreateGroupAsync().ConfigureAwait(false))
                    {
                        // This worker created the group: jobs whose entries went with the old stream (or that were
                        // queued while every worker was down and the stream was deleted) are put back before it reads.
                        var (requeued, failed) = await recovery.RecoverAsync(stoppingToken).ConfigureAwait(false);
                        if (groupSeen || requeued > 0 || failed > 0)
                        {
                            Log.GroupRecreated(logger, requeued, failed);
                        }
                    }

                    groupReady = groupSeen = true;
                }

                state.Turned(time.GetUtcNow());
                if (!ownPendingDone)
                {
                    // Entries this consumer name held before a restart (or a failed turn): a delivery again, counted.
                    var own = await DeliverAsync(consumer, "0").ConfigureAwait(false);
                    await processor.ProcessAsync(own, stoppingToken).ConfigureAwait(false);
                    ownPendingDone = own.Count < _options.BatchSize;
                    continue;
                }

                if (time.GetUtcNow() >= nextClaim)
                {
                    await ReclaimAsync(consumer, stoppingToken).ConfigureAwait(false);
                    await TrimFinishedAsync().ConfigureAwait(false);
                    await RefreshQueueStateAsync().ConfigureAwait(false);
                    nextClaim = time.GetUtcNow() + _options.ClaimInterval;
                }

                _wakeUp.Clear();
                var entries = await ReadBatchAsync(consumer, stoppingToken).ConfigureAwait(false);
                if (entries.Count == 0)
                {
                    await WaitForJobsAsync(nextClaim, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (_options.HoldDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.HoldDelay, time, stoppingToken).ConfigureAwait(false);
                }

                await processor.ProcessAsync(entries, stoppingToken).ConfigureAwait(false);
                if (entries.Count < _options.BatchSize)
                {
                    // That read took every job there was; each one queued since has rung the bell. Unless it rang,
                    // another read now would come back empty: wait instead (at once when it rang meanwhile).
                    await WaitForJobsAsync(nextClaim, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must survive any failure of one turn (Redis down, a bug on one batch); it logs and goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // A failed turn may mean Redis restarted (perhaps without its data): beat and check the group again.
                groupReady = false;

                // What this consumer read before the failure (Redis restarted, a batch failed halfway) is still pending
                // under its name: take it up again first (its heartbeat keeps it from the other workers meanwhile).
                ownPendingDone = false;

                state.Faulted(ex.GetType().Name);
                var delay = TimeSpan.FromSeconds(1);
                Log.LoopFailed(logger, ex, delay);
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        Log.ConsumerStopped(logger, consumer);
    }

    /// <summary>Waits for the bell, at most <see cref="WorkerOptions.ReadBlock"/> and never past the next reclaim.</summary>
    private async Task WaitForJobsAsync(DateTimeOffset nextClaim, CancellationToken stoppingToken)
    {
        var untilClaim = nextClaim - time.GetUtcNow();
        var wait = untilClaim < _options.ReadBlock ? untilClaim : _options.ReadBlock;
        if (wait > TimeSpan.Zero)
        {
            await _wakeUp.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Subscribes the doorbell, once per process: the library subscribes again by itself after every reconnect. When
    /// the first SUBSCRIBE fails (Redis down at start), the handler is taken back out of the library's table, so the
    /// next try does not register it twice.
    /// </summary>
    private async Task SubscribeAsync()
    {
        var subscriber = redis.GetSubscriber();
        try
        {
            await subscriber.SubscribeAsync(_jobsQueued, OnJobsQueued).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            try
            {
                await subscriber.UnsubscribeAsync(_jobsQueued, OnJobsQueued, CommandFlags.FireAndForget).ConfigureAwait(false);
            }
            catch (Exception unsubscribe) when (unsubscribe is RedisException or RedisTimeoutException)
            {
                // Still down: the handler is out of the table already; nothing to undo on the server.
            }

            throw;
        }
    }

    private void OnJobsQueued(RedisChannel channel, RedisValue message) => _wakeUp.Ring();

    /// <summary>
    /// Creates the workers' group (and the stream) unless it exists: from the stream's start, so jobs queued before any
    /// worker ran, or while the group was missing, are read. True when it created it.
    /// </summary>
    private async Task<bool> CreateGroupAsync()
    {
        try
        {
            await _db.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, StreamPosition.Beginning, createStream: true).ConfigureAwait(false);
            return true;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another worker (or this one, before a reconnect) created it.
            return false;
        }
    }

    private async Task<List<QueuedJob>> ReadBatchAsync(string consumer, CancellationToken stoppingToken)
    {
        var entries = await DeliverAsync(consumer, ">").ConfigureAwait(false);
        if (entries.Count == 0 || entries.Count >= _options.BatchSize || _options.BatchDelay <= TimeSpan.Zero)
        {
            return entries;
        }

        // A short wait lets a burst that is still arriving join this batch.
        await Task.Delay(_options.BatchDelay, time, stoppingToken).ConfigureAwait(false);
        var more = await DeliverAsync(consumer, ">", _options.BatchSize - entries.Count).ConfigureAwait(false);
        return more.Count == 0 ? entries : [.. entries, .. more];
    }

    /// <summary>Jobs handed to this consumer, their attempts counted: new ones (<paramref name="from"/> "&gt;") or its own pending ones ("0").</summary>
    private async Task<List<QueuedJob>> DeliverAsync(string consumer, string from, int? count = null)
    {
        var reply = await _db.ScriptEvaluateAsync(
            JobScripts.Deliver,
            [QueueKeys.Jobs],
            [QueueKeys.WorkersGroup, consumer, count ?? _options.BatchSize, from, time.GetUtcNow().ToUnixTimeMilliseconds(), QueueKeys.JobEvents, QueueKeys.JobPrefix]).ConfigureAwait(false);
        return QueuedJob.FromHandOver(reply);
    }

    /// <summary>Takes over, a batch at a time, the pending jobs of consumers whose heartbeat has lapsed.</summary>
    private async Task ReclaimAsync(string consumer, CancellationToken stoppingToken)
    {
        var total = 0;
        List<QueuedJob> claimed;
        do
        {
            var reply = await _db.ScriptEvaluateAsync(
                JobScripts.Reclaim,
                [QueueKeys.Jobs],
                [
                    QueueKeys.WorkersGroup, consumer, _options.BatchSize, (long)_options.HeartbeatTimeout.TotalMilliseconds,
                    time.GetUtcNow().ToUnixTimeMilliseconds(), QueueKeys.JobEvents, QueueKeys.JobPrefix, QueueKeys.HeartbeatPrefix,
                ]).ConfigureAwait(false);
            claimed = QueuedJob.FromHandOver(reply);
            if (claimed.Count > 0)
            {
                total += claimed.Count;
                metrics.Reclaimed.Add(claimed.Count);
                await processor.ProcessAsync(claimed, stoppingToken).ConfigureAwait(false);
            }
        }
        while (claimed.Count >= _options.BatchSize && !stoppingToken.IsCancellationRequested);

        if (total > 0)
        {
            Log.Reclaimed(logger, total);
        }
    }

    /// <summary>
    /// Finished entries left in the stream (by an older build's workers, or acknowledged by hand) would count as queued
    /// jobs where the gateway cannot ask Redis for the lag; this keeps the stream to the jobs queued or in progress.
    /// </summary>
    private async Task TrimFinishedAsync()
    {
        try
        {
            var trimmed = (long)await _db.ScriptEvaluateAsync(JobScripts.TrimFinished, [QueueKeys.Jobs], [QueueKeys.WorkersGroup]).ConfigureAwait(false);
            if (trimmed > 0)
            {
                Log.TrimmedFinished(logger, trimmed);
            }
        }
        catch (RedisServerException ex)
        {
            // Housekeeping only: the consume loop goes on (a server without XTRIM MINID, say).
            Log.TrimFailed(logger, ex);
        }
    }

    private async Task RefreshQueueStateAsync()
    {
        try
        {
            var groups = await _db.StreamGroupInfoAsync(QueueKeys.Jobs).ConfigureAwait(false);
            var index = Array.FindIndex(groups, g => g.Name == QueueKeys.WorkersGroup);
            if (index >= 0)
            {
                var group = groups[index];
                // Redis cannot tell the lag while a deleted entry lies between the oldest and the last delivered one
                // (workers delete entries as they acknowledge them, out of order across workers); the stream then holds
                // exactly the undelivered and pending entries, so its length less the pending ones is the lag.
                var lag = group.Lag ?? Math.Max(0, await _db.StreamLengthAsync(QueueKeys.Jobs).ConfigureAwait(false) - group.PendingMessageCount);
                metrics.SetQueueState(lag, group.PendingMessageCount);
            }
        }
        catch (RedisServerException ex)
        {
            Log.LagRefreshFailed(logger, ex);
        }
    }

    /// <summary>Configured name, else OTEL <c>service.instance.id</c>, else machine-pid: unique per process.</summary>
    internal static string ResolveConsumerName(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var attributes = Environment.GetEnvironmentVariable("OTEL_RESOURCE_ATTRIBUTES") ?? "";
        foreach (var pair in attributes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair[..eq] == "service.instance.id" && eq < pair.Length - 1)
            {
                return Uri.UnescapeDataString(pair[(eq + 1)..]) + "-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return Environment.MachineName + "-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
