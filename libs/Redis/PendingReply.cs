using System.Diagnostics;

namespace MlAspire.Redis;

/// <summary>
/// A command that was written and waits for its reply. Replies are matched strictly in write order; a caller that gave
/// up (timeout, cancellation) leaves its entry here so that the late reply is consumed and dropped, not misdelivered.
/// </summary>
/// <remarks>
/// Continuations run synchronously on whichever thread completes the task, so the task is completed only from a
/// thread-pool work item that runs no connection code: a <see cref="ReplyBatch"/> for replies, <see cref="FailLater"/>
/// for failures. The socket read loop and the timeout sweep never run a caller's code.
/// </remarks>
internal sealed class PendingReply : TaskCompletionSource<RedisResult>
{
    private volatile bool _expired;

    public PendingReply(string command, long started, long deadline)
    {
        Command = command;
        Started = started;
        Deadline = deadline;
    }

    public string Command { get; }

    public long Started { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> after which the caller gets a <see cref="RedisTimeoutException"/>.</summary>
    public long Deadline { get; }

    /// <summary>True once the command failed or is about to fail (its late reply, if any, is dropped).</summary>
    public bool IsSettled => _expired || Task.IsCompleted;

    public bool TryExpire(long now)
    {
        if (now < Deadline)
        {
            return false;
        }

        _expired = true;
        FailLater(new RedisTimeoutException(
            $"{Command} got no reply within {Stopwatch.GetElapsedTime(Started, now).TotalMilliseconds:0} ms (the reply will be discarded when it arrives)."));
        return true;
    }

    /// <summary>Fails the command from its own thread-pool work item (failures are rare; each gets one).</summary>
    public void FailLater(Exception error) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                state.Pending.TrySetException(state.Error);

                // A caller that gave up no longer awaits this task; mark the failure observed.
                _ = state.Pending.Task.Exception;
            },
            (Pending: this, Error: error),
            preferLocal: false);

    /// <summary>Completes the command from its own thread-pool work item.</summary>
    public void CompleteLater(RedisResult result, bool preferLocal = false) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Pending.TrySetResult(state.Result), (Pending: this, Result: result), preferLocal);
}
