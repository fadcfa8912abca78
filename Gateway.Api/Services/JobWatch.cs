using System.Threading.Channels;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Status changes of one job, as published on the events channel, while the watch is open.</summary>
internal sealed class JobWatch : IDisposable
{
    private readonly Channel<string> _statuses = Channel.CreateBounded<string>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Action<JobWatch> _onDispose;

    public JobWatch(string jobId, Action<JobWatch> onDispose)
    {
        JobId = jobId;
        _onDispose = onDispose;
    }

    public string JobId { get; }

    internal void Publish(string status) => _statuses.Writer.TryWrite(status);

    /// <summary>Waits for the next change, at most <paramref name="timeout"/>: the status it announced, or null when none came.</summary>
    public async Task<string?> NextAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_statuses.Reader.TryRead(out var status))
        {
            return status;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _statuses.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose() => _onDispose(this);
}
