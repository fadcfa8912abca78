namespace MlAspire.Redis;

/// <summary>What a <see cref="RedisBatch"/> needs of its entries besides what the connection needs.</summary>
internal interface IBatchEntry : IPendingReply
{
    /// <summary>Stamps the start and deadline when the batch is written (it was built earlier).</summary>
    void Arm(long started, long deadline);

    void Cancel(CancellationToken cancellationToken);

    /// <summary>Marks a failure as seen once the batch itself has reported one.</summary>
    void Observe();
}

/// <summary>
/// One command of a <see cref="RedisBatch"/>, and the source of its caller's typed task. The read loop hands it the
/// reply; it maps the reply with the library's own code (never the caller's), completes the task (continuations run
/// asynchronously, never on the read loop) and counts its batch down. Whichever comes first of reply, failure,
/// timeout and cancellation decides; later ones are dropped, so the connection still consumes the reply of a
/// cancelled command in order.
/// </summary>
internal sealed class BatchEntry<T> : TaskCompletionSource<T>, IBatchEntry
{
    private readonly RedisBatch _batch;
    private readonly Func<RedisResult, T> _map;
    private int _done;

    public BatchEntry(RedisBatch batch, string command, Func<RedisResult, T> map)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _batch = batch;
        _map = map;
        Command = command;
        Deadline = long.MaxValue;
    }

    public string Command { get; }

    public long Started { get; private set; }

    public long Deadline { get; private set; }

    public bool IsDone => Volatile.Read(ref _done) != 0;

    public void Arm(long started, long deadline)
    {
        Started = started;
        Deadline = deadline;
    }

    public void Deliver(RedisResult reply)
    {
        if (!TryFinish())
        {
            return;
        }

        Exception? failure = null;
        try
        {
            TrySetResult(_map(_batch.Client.Complete(Command, reply, Started, null)));
        }
#pragma warning disable CA1031 // A server error reply or a reply of the wrong shape fails this command only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
            _batch.Client.Fail(Command, ex, null);
            TrySetException(ex);
        }

        _batch.OnEntryDone(failure);
    }

    public void Fail(Exception exception, bool observed)
    {
        if (!TryFinish())
        {
            return;
        }

        _batch.Client.Fail(Command, exception, null);
        TrySetException(exception);
        _batch.OnEntryDone(exception);
    }

    public void Cancel(CancellationToken cancellationToken)
    {
        if (TryFinish())
        {
            TrySetCanceled(cancellationToken);
            _batch.OnEntryDone(null);
        }
    }

    public void Observe() => _ = Task.Exception;

    private bool TryFinish() => Interlocked.Exchange(ref _done, 1) == 0;
}
