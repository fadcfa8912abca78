namespace MlAspire.Redis;

/// <summary>
/// A command that was written and waits for its reply. Replies are matched strictly in write order; a caller that gave
/// up (timeout, cancellation) leaves its entry here so that the late reply is consumed and dropped, not misdelivered.
/// </summary>
internal sealed class PendingReply : TaskCompletionSource<RedisResult>
{
    public PendingReply()
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
    }
}
