using System.Threading.Channels;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>
/// The consumer's doorbell: set by each message on <see cref="Queue.QueueKeys.JobsQueued"/>, waited on while the stream
/// has nothing for this worker. Any number of rings while the consumer is busy count as one, so a loaded worker pays
/// nothing for them but the message itself.
/// </summary>
internal sealed class QueueWakeUp
{
    // Synchronous continuations: a ring (already on a pool thread of the library's) resumes the waiting consume loop on
    // that thread instead of queueing it for another one: one thread hop less between the publish and the read.
    private readonly Channel<bool> _rung = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, AllowSynchronousContinuations = true });

    /// <summary>Rings the bell (thread-safe; called from the pub/sub handler).</summary>
    public void Ring() => _rung.Writer.TryWrite(true);

    /// <summary>Forgets earlier rings. Call it before reading the stream: a ring that comes after it is kept for <see cref="WaitAsync"/>.</summary>
    public void Clear() => _rung.Reader.TryRead(out _);

    /// <summary>Waits for a ring, at most <paramref name="timeout"/>: true when rung, false when the time ran out.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default)
    {
        if (_rung.Reader.TryRead(out _))
        {
            return true;
        }

        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _rung.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
