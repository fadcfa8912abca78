namespace MlAspire.Redis;

/// <summary>
/// The replies matched by one pass of the read loop, completed in order by one thread-pool work item instead of one
/// work item per reply. Matching (which reply belongs to which command) already happened on the read loop; this only
/// decides where the callers' continuations run: on a pool thread, never on the read loop.
/// </summary>
/// <remarks>
/// A continuation may block (sync-over-async on a later reply of the same batch would otherwise wait for itself), so
/// the connection's sweep calls <see cref="RescueIfStalled"/>: a batch that made no progress since the previous sweep
/// hands each remaining reply to a work item of its own. Each reply is claimed exactly once, by index.
/// </remarks>
internal sealed class ReplyBatch : IThreadPoolWorkItem
{
    /// <summary>Bounds how many callers' continuations one work item runs one after another.</summary>
    public const int Capacity = 32;

    private (PendingReply Pending, RedisResult Result)[] _entries = new (PendingReply, RedisResult)[4];
    private int _count;
    private int _claimed;
    private int _claimedAtLastSweep = -1;

    public int Count => _count;

    public bool IsFull => _count == Capacity;

    /// <summary>True when every reply was handed out (delivered, being delivered, or queued on its own).</summary>
    public bool IsDone => Volatile.Read(ref _claimed) >= _count;

    /// <summary>Adds a matched reply (read loop only, before the batch is queued).</summary>
    public void Add(PendingReply pending, RedisResult result)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Min(_entries.Length * 2, Capacity));
        }

        _entries[_count++] = (pending, result);
    }

    public void Execute()
    {
        while (TryClaim(out var index))
        {
            var (pending, result) = _entries[index];
            pending.TrySetResult(result);
        }
    }

    /// <summary>Called by the sweep only (one at a time): unblocks a batch stuck in a caller's continuation.</summary>
    public void RescueIfStalled()
    {
        var claimed = Volatile.Read(ref _claimed);
        if (claimed == _claimedAtLastSweep)
        {
            Rescue();
        }

        _claimedAtLastSweep = claimed;
    }

    /// <summary>Hands every reply not yet claimed to a work item of its own.</summary>
    public void Rescue()
    {
        while (TryClaim(out var index))
        {
            var (pending, result) = _entries[index];
            pending.CompleteLater(result);
        }
    }

    private bool TryClaim(out int index)
    {
        index = Interlocked.Increment(ref _claimed) - 1;
        return index < _count;
    }
}
