using System.Diagnostics;

namespace MlAspire.Redis;

/// <summary>
/// A command that was written and waits for its reply. Replies are matched strictly in write order; a caller that gave
/// up (timeout, cancellation) leaves its entry here so that the late reply is consumed and dropped, not misdelivered.
/// </summary>
internal sealed class PendingReply : TaskCompletionSource<RedisResult>
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

    /// <summary><see cref="Stopwatch.GetTimestamp"/> after which the caller gets a <see cref="RedisTimeoutException"/>.</summary>
    public long Deadline { get; }

    public bool TryExpire(long now)
    {
        if (now < Deadline)
        {
            return false;
        }

        TrySetException(new RedisTimeoutException(
            $"{Command} got no reply within {Stopwatch.GetElapsedTime(Started, now).TotalMilliseconds:0} ms (the reply will be discarded when it arrives)."));
        return true;
    }
}
