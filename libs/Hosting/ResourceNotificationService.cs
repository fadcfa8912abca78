using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MlAspire.Hosting;

/// <summary>The live state of every replica, as a current view and as a stream of changes: what a dashboard
/// (or a test) watches. Mirrors Aspire's service of the same name.</summary>
public sealed class ResourceNotificationService
{
    private const int SubscriberCapacity = 4096;

    private readonly Lock _gate = new();
    private readonly OrderedDictionary<string, ResourceSnapshot> _current = new(StringComparer.Ordinal);
    private readonly List<Channel<ResourceSnapshot>> _subscribers = [];

    public IReadOnlyList<ResourceSnapshot> GetCurrentSnapshots()
    {
        lock (_gate)
        {
            return [.. _current.Values];
        }
    }

    public ResourceSnapshot? GetSnapshot(string replicaId)
    {
        lock (_gate)
        {
            return _current.GetValueOrDefault(replicaId);
        }
    }

    /// <summary>Yields the current snapshot of every replica, then every change until cancelled. A subscriber
    /// that falls more than 4096 changes behind loses the oldest ones (re-read <see cref="GetCurrentSnapshots"/>).</summary>
    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<ResourceSnapshot>(
            new BoundedChannelOptions(SubscriberCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            foreach (var snapshot in _current.Values)
            {
                channel.Writer.TryWrite(snapshot);
            }

            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    /// <summary>Waits until a replica's snapshot satisfies <paramref name="predicate"/>.</summary>
    public async Task<ResourceSnapshot> WaitForAsync(string replicaId, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        await foreach (var snapshot in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (snapshot.ReplicaId == replicaId && predicate(snapshot))
            {
                return snapshot;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new OperationCanceledException(cancellationToken);
    }

    internal ResourceSnapshot Publish(string replicaId, Func<ResourceSnapshot, ResourceSnapshot> update, ResourceSnapshot initial)
    {
        lock (_gate)
        {
            var next = update(_current.GetValueOrDefault(replicaId) ?? initial) with { Timestamp = DateTimeOffset.UtcNow };
            _current[replicaId] = next;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(next);
            }

            return next;
        }
    }
}
