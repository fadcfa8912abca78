using System.Threading.Channels;
using MlAspire.Gateway.Api.Model;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Status changes of one job, as published on the events channel, while the watch is open. A watch for terminal
/// changes only is not woken by the others (a long poll has nothing to do on <c>processing</c>).
/// </summary>
internal sealed class JobWatch : IDisposable
{
    private readonly Channel<JobEvent> _events = Channel.CreateBounded<JobEvent>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Action<JobWatch> _onDispose;

    public JobWatch(string jobId, bool terminalOnly, Action<JobWatch> onDispose)
    {
        JobId = jobId;
        TerminalOnly = terminalOnly;
        _onDispose = onDispose;
    }

    public string JobId { get; }

    public bool TerminalOnly { get; }

    internal void Publish(JobEvent change) => _events.Writer.TryWrite(change);

    /// <summary>Waits for the next change, at most <paramref name="timeout"/>: the change, or null when none came.</summary>
    public async Task<JobEvent?> NextAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_events.Reader.TryRead(out var change))
        {
            return change;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose() => _onDispose(this);
}

/// <summary>A status change of a job; <see cref="Job"/> is the job as its terminal event described it, if it did.</summary>
internal sealed record JobEvent(string Status, JobView? Job);
