using System.Runtime.CompilerServices;
using MlAspire.Gateway.Api.Model;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Waits for jobs to change: completion events first, with a one-second re-read as a safety net. Both ride out a
/// Redis outage (a restart): while the job cannot be read, they keep waiting and read it again on the next tick, so
/// a long poll or an event stream that was open across the restart still ends with the job's final state.
/// </summary>
internal sealed class JobTracker(JobStore store, JobEventHub hub, TimeProvider time, ILogger<JobTracker> logger)
{
    private static readonly TimeSpan s_tick = TimeSpan.FromSeconds(1);

    /// <summary>Starts watching a job for its end, before it is stored, for <see cref="WaitAsync(JobWatch, bool, TimeSpan, CancellationToken)"/>.</summary>
    public JobWatch WatchForEnd(string id) => hub.Watch(id, terminalOnly: true);

    /// <summary>The job once it is terminal or <paramref name="timeout"/> has passed; null when it does not exist.</summary>
    public async Task<JobView?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var watch = WatchForEnd(id);
        return await WaitAsync(watch, watchedBeforeStored: false, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The watched job once it is terminal or <paramref name="timeout"/> has passed; null when it does not exist.
    /// <paramref name="watchedBeforeStored"/>: the watch was opened before the job was created (so no change can have
    /// been missed, and the job need not be read first). When the job store is still unreachable at the end, the
    /// last read's exception is thrown (<see cref="DependencyExceptionHandler"/> answers 503).
    /// </summary>
    public async Task<JobView?> WaitAsync(JobWatch watch, bool watchedBeforeStored, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = time.GetUtcNow() + timeout;
        if (!watchedBeforeStored)
        {
            var (first, _) = await TryGetAsync(watch.JobId, cancellationToken).ConfigureAwait(false);
            if (first is { Found: true } && first.Value.Job is not { IsTerminal: false })
            {
                return first.Value.Job;
            }
        }

        while (true)
        {
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                // Changes that do not end the wait (processing) were not watched: read the state it is in now.
                return await store.GetAsync(watch.JobId, cancellationToken).ConfigureAwait(false);
            }

            var change = await watch.NextAsync(remaining < s_tick ? remaining : s_tick, cancellationToken).ConfigureAwait(false);
            if (change?.Job is { } announced)
            {
                return announced;
            }

            // A terminal event without the job in it, or the tick (the safety net for a missed event).
            var (read, _) = await TryGetAsync(watch.JobId, cancellationToken).ConfigureAwait(false);
            if (read is { Found: true } && read.Value.Job is not { IsTerminal: false })
            {
                return read.Value.Job;
            }
        }
    }

    /// <summary>
    /// The job each time its status changes, ending when it is terminal or after <paramref name="maxDuration"/>; a
    /// keep-alive when nothing was sent for <paramref name="keepAlive"/>. Ends with an error item instead when the job
    /// is gone (expired, or lost with Redis's data) or the job store stayed unreachable to the end.
    /// </summary>
    public async IAsyncEnumerable<JobStreamEvent> StreamAsync(
        string id, TimeSpan maxDuration, TimeSpan keepAlive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var watch = hub.Watch(id, terminalOnly: false);
        var deadline = time.GetUtcNow() + maxDuration;
        var lastSent = time.GetUtcNow();
        string? last = null;
        var (read, failure) = await TryGetAsync(id, cancellationToken).ConfigureAwait(false);
        var unreachable = read is null;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (read is { Found: false })
            {
                yield return new JobStreamEvent(null, $"Job '{id}' no longer exists (it expired, or the job store lost it).");
                yield break;
            }

            if (read is { Job: { } job })
            {
                if (unreachable)
                {
                    unreachable = false;
                    Log.EventStreamResumed(logger, id);
                }

                if (job.Status != last)
                {
                    last = job.Status;
                    lastSent = time.GetUtcNow();
                    yield return new JobStreamEvent(job, null);
                }

                if (job.IsTerminal)
                {
                    yield break;
                }
            }
            else if (!unreachable)
            {
                unreachable = true;
                Log.EventStreamWaitingForStore(logger, failure!, id);
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                if (read is null)
                {
                    yield return new JobStreamEvent(null, "The job store could not be reached before the stream's time ran out; poll the job for its state.");
                }

                yield break;
            }

            if (time.GetUtcNow() - lastSent >= keepAlive)
            {
                lastSent = time.GetUtcNow();
                yield return JobStreamEvent.KeepAlive;
            }

            var change = await watch.NextAsync(remaining < s_tick ? remaining : s_tick, cancellationToken).ConfigureAwait(false);
            if (change?.Job is { } announced)
            {
                read = (true, announced);
            }
            else
            {
                (read, failure) = await TryGetAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The job (Found false when there is none), or null with the failure when the job store cannot be reached.</summary>
    private async Task<((bool Found, JobView? Job)? Read, Exception? Failure)> TryGetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            return ((job is not null, job), null);
        }
        catch (Exception ex) when (DependencyExceptionHandler.IsRedisUnavailable(ex))
        {
            return (null, ex);
        }
    }
}
