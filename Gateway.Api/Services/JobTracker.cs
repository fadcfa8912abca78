using System.Runtime.CompilerServices;
using MlAspire.Gateway.Api.Model;
using MlAspire.Queue;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Waits for jobs to change: completion events first, with a one-second re-read as a safety net.</summary>
internal sealed class JobTracker(JobStore store, JobEventHub hub, TimeProvider time)
{
    private static readonly TimeSpan s_tick = TimeSpan.FromSeconds(1);

    /// <summary>The job once it is terminal or <paramref name="timeout"/> has passed; null when it does not exist.</summary>
    public async Task<JobView?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var watch = hub.Watch(id);
        var deadline = time.GetUtcNow() + timeout;
        var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var stale = false;
        while (job is { IsTerminal: false })
        {
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                if (stale)
                {
                    job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            // A change to a state that is not terminal (processing) cannot end the wait, so it is not worth a read
            // until the wait ends; a terminal one, or the tick (the safety net for a missed event), is.
            var announced = await watch.NextAsync(remaining < s_tick ? remaining : s_tick, cancellationToken).ConfigureAwait(false);
            if (announced is not null && !JobStatuses.IsTerminal(announced))
            {
                stale = true;
                continue;
            }

            job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            stale = false;
        }

        return job;
    }

    /// <summary>The job each time its status changes, ending when it is terminal, gone, or after <paramref name="maxDuration"/>.</summary>
    public async IAsyncEnumerable<JobView> StreamAsync(string id, TimeSpan maxDuration, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var watch = hub.Watch(id);
        var deadline = time.GetUtcNow() + maxDuration;
        string? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                yield break;
            }

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

            await watch.NextAsync(remaining < s_tick ? remaining : s_tick, cancellationToken).ConfigureAwait(false);
        }
    }
}
