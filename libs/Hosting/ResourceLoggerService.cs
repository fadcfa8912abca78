using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MlAspire.Hosting;

/// <summary>Output of every replica: a bounded in-memory history per replica and a live stream, for a
/// dashboard's console view. Mirrors Aspire's service of the same name.</summary>
public sealed class ResourceLoggerService
{
    private const int SubscriberCapacity = 8192;

    private readonly ConcurrentDictionary<string, LogRing> _rings = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<Channel<LogLine>> _subscribers = [];
    private readonly int _capacity;

    internal ResourceLoggerService(int linesPerReplica) => _capacity = linesPerReplica;

    /// <summary>The kept lines of one replica, oldest first (at most <paramref name="last"/>).</summary>
    public IReadOnlyList<LogLine> GetLogs(string replicaId, int? last = null) =>
        _rings.TryGetValue(replicaId, out var ring) ? ring.Snapshot(last) : [];

    /// <summary>Every new line of every replica from now on, until cancelled.</summary>
    public async IAsyncEnumerable<LogLine> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<LogLine>(
            new BoundedChannelOptions(SubscriberCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return line;
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

    internal LogLine Append(string resourceName, string replicaId, string text, bool isError)
    {
        var ring = _rings.GetOrAdd(replicaId, _ => new LogRing(_capacity));
        var line = ring.Add(n => new LogLine(resourceName, replicaId, n, DateTimeOffset.UtcNow, text, isError));
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(line);
            }
        }

        return line;
    }
}
