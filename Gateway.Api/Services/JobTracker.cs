using System.Runtime.CompilerServices;
using MlAspire.Gateway.Api.Model;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Waits for jobs to change: completion events first, with a one-second re-read as a safety net.</summary>
internal sealed class JobTracker(JobStore store, JobEventHub hub, TimeProvider time)
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
    /// been missed, and the job need not be read first).
    /// </summary>
    public async Task<JobView?> WaitAsync(JobWatch watch, bool watchedBeforeStored, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = time.GetUtcNow() + timeout;
        if (!watchedBeforeStored)
        {
            var first = await store.GetAsync(watch.JobId, cancellationToken).ConfigureAwait(false);
            if (first is not { IsTerminal: false })
            {
                return first;
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
            var job = await store.GetAsync(watch.JobId, cancellationToken).ConfigureAwait(false);
            if (job is not { IsTerminal: false })
            {
                return job;
            }
        }
    }

    /// <summary>The job each time its status changes, ending when it is terminal, gone, or after <paramref name="maxDuration"/>.</summary>
    public async IAsyncEnumerable<JobView> StreamAsync(string id, TimeSpan maxDuration, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var watch = hub.Watch(id, terminalOnly: false);
        var deadline = time.GetUtcNow() + maxDuration;
        string? last = null;
        var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        while (job is not null && !cancellationToken.IsCancellationRequested)
        {
            if (job.Status != last)
            {
                last = job.Status;
                yield return job;
            }

            var remaining = deadline - time.GetUtcNow();
            if (job.IsTerminal || remaining <= TimeSpan.Zero)
            {
                yield break;
            }

            var change = await watch.NextAsync(remaining < s_tick ? remaining : s_tick, cancellationToken).ConfigureAwait(false);
            job = change?.Job ?? await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }
}
