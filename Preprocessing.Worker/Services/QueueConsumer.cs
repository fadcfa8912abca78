using Microsoft.Extensions.Options;
using MlAspire.Queue;
using MlAspire.Redis;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>
/// The consume loop: XREADGROUP as this process's consumer, fill the micro-batch briefly, process; at start and every
/// <see cref="WorkerOptions.ClaimInterval"/> take over jobs that other (dead) consumers left pending (XAUTOCLAIM).
/// On shutdown it stops reading; jobs not finished stay pending for another worker.
/// </summary>
internal sealed class QueueConsumer(
    RedisClient redis,
    JobProcessor processor,
    ConsumerState state,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumer = ResolveConsumerName(_options.ConsumerName);
        state.Consumer = consumer;
        Log.ConsumerStarted(logger, consumer, QueueKeys.Jobs, QueueKeys.WorkersGroup);
        var groupReady = false;
        var ownPendingDone = false;
        var nextClaim = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!groupReady)
                {
                    await redis.StreamCreateGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0", createStream: true, stoppingToken).ConfigureAwait(false);
                    groupReady = true;
                }

                state.Turned(time.GetUtcNow());
                if (!ownPendingDone)
                {
                    // Entries this consumer name held before a restart.
                    var own = await redis.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, consumer, "0", _options.BatchSize, cancellationToken: stoppingToken).ConfigureAwait(false);
                    await processor.ProcessAsync(own, stoppingToken).ConfigureAwait(false);
                    ownPendingDone = own.Count < _options.BatchSize;
                    continue;
                }

                if (time.GetUtcNow() >= nextClaim)
                {
                    await ReclaimAsync(consumer, stoppingToken).ConfigureAwait(false);
                    await TrimFinishedAsync().ConfigureAwait(false);
                    await RefreshQueueStateAsync(stoppingToken).ConfigureAwait(false);
                    nextClaim = time.GetUtcNow() + _options.ClaimInterval;
                }

                var entries = await ReadBatchAsync(consumer, stoppingToken).ConfigureAwait(false);
                if (entries.Count == 0)
                {
                    continue;
                }

                if (_options.HoldDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.HoldDelay, time, stoppingToken).ConfigureAwait(false);
                }

                await processor.ProcessAsync(entries, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must survive any failure of one turn (Redis down, a bug on one batch); it logs and goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (ex is RedisServerException { Prefix: "NOGROUP" })
                {
                    groupReady = false;
                }

                // What this consumer read before the failure (Redis restarted, a batch failed halfway) is still pending
                // under its name: take it up again first instead of waiting ClaimIdle for a reclaim.
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

    private async Task<IReadOnlyList<StreamEntry>> ReadBatchAsync(string consumer, CancellationToken stoppingToken)
    {
        var entries = await redis.StreamReadGroupAsync(
            QueueKeys.Jobs, QueueKeys.WorkersGroup, consumer, ">", _options.BatchSize, _options.ReadBlock, cancellationToken: stoppingToken).ConfigureAwait(false);
        if (entries.Count == 0 || entries.Count >= _options.BatchSize || _options.BatchDelay <= TimeSpan.Zero)
        {
            return entries;
        }

        // A short wait lets a burst that is still arriving join this batch.
        await Task.Delay(_options.BatchDelay, time, stoppingToken).ConfigureAwait(false);
        var more = await redis.StreamReadGroupAsync(
            QueueKeys.Jobs, QueueKeys.WorkersGroup, consumer, ">", _options.BatchSize - entries.Count, cancellationToken: stoppingToken).ConfigureAwait(false);
        return more.Count == 0 ? entries : [.. entries, .. more];
    }

    private async Task ReclaimAsync(string consumer, CancellationToken stoppingToken)
    {
        var start = "0-0";
        var total = 0;
        do
        {
            var claimed = await redis.StreamAutoClaimAsync(
                QueueKeys.Jobs, QueueKeys.WorkersGroup, consumer, _options.ClaimIdle, start, _options.BatchSize, stoppingToken).ConfigureAwait(false);
            if (claimed.Entries.Count > 0)
            {
                total += claimed.Entries.Count;
                metrics.Reclaimed.Add(claimed.Entries.Count);
                await processor.ProcessAsync(claimed.Entries, stoppingToken).ConfigureAwait(false);
            }

            start = claimed.NextStartId;
        }
        while (start != "0-0" && !stoppingToken.IsCancellationRequested);

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
            var trimmed = (await redis.ScriptEvaluateAsync(JobScripts.TrimFinished, [QueueKeys.Jobs], [QueueKeys.WorkersGroup]).ConfigureAwait(false)).AsInt64();
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

    private async Task RefreshQueueStateAsync(CancellationToken stoppingToken)
    {
        try
        {
            var groups = await redis.StreamGroupsInfoAsync(QueueKeys.Jobs, stoppingToken).ConfigureAwait(false);
            var group = groups.FirstOrDefault(g => g.Name == QueueKeys.WorkersGroup);
            if (group is not null)
            {
                // Redis cannot tell the lag while a deleted entry lies between the oldest and the last delivered one
                // (workers delete entries as they acknowledge them, out of order across workers); the stream then holds
                // exactly the undelivered and pending entries, so its length less the pending ones is the lag.
                var lag = group.Lag ?? Math.Max(0, await redis.StreamLengthAsync(QueueKeys.Jobs, stoppingToken).ConfigureAwait(false) - group.Pending);
                metrics.SetQueueState(lag, group.Pending);
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
