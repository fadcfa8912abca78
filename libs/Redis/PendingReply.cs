using System.Diagnostics;

namespace MlAspire.Redis;

/// <summary>
/// A command that was written and waits for its reply. Replies are matched strictly in write order; a caller that gave
/// up (timeout, cancellation) leaves its entry queued so that the late reply is consumed and dropped, not misdelivered.
/// An interface so that each kind of entry can itself be the source of its caller's task: an ordinary command
/// (<see cref="PendingReply"/>) or one command of a <see cref="RedisBatch"/> (<see cref="BatchEntry{T}"/>).
/// </summary>
internal interface IPendingReply
{
    string Command { get; }

    long Started { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> after which the caller gets a <see cref="RedisTimeoutException"/>.</summary>
    long Deadline { get; }

    /// <summary>True once the caller has its outcome (reply, failure, timeout or cancellation).</summary>
    bool IsDone { get; }

    /// <summary>Called by the read loop with this command's reply. Must never run caller code inline.</summary>
    void Deliver(RedisResult reply);

    /// <summary>Fails the command (connection lost, timeout). With <paramref name="observed"/> the failure counts as
    /// seen, for callers that already gave up and will never await it.</summary>
    void Fail(Exception exception, bool observed);

    bool TryExpire(long now)
    {
        if (now < Deadline)
        {
            return false;
        }

        Fail(new RedisTimeoutException(
            $"{Command} got no reply within {Stopwatch.GetElapsedTime(Started, now).TotalMilliseconds:0} ms (the reply will be discarded when it arrives)."),
            observed: false);
        return true;
    }
}

/// <summary>An ordinary command: its caller awaits the raw reply.</summary>
internal sealed class PendingReply : TaskCompletionSource<RedisResult>, IPendingReply
{
    public PendingReply(string command, long started, long deadline)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Command = command;
        Started = started;
        Deadline = deadline;
    }

    public string Command { get; }

    public long Started { get; }

    public long Deadline { get; }

    public bool IsDone => Task.IsCompleted;

    public void Deliver(RedisResult reply) => TrySetResult(reply);

    public void Fail(Exception exception, bool observed)
    {
        TrySetException(exception);
        if (observed)
        {
            _ = Task.Exception;
        }
    }
}
