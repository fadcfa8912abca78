namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// The job ids of a submission; <see cref="Replayed"/> when an Idempotency-Key returned earlier jobs. When the queue
/// was full nothing was stored: no ids, and <see cref="QueueDepth"/> says how many jobs were queued or in progress.
/// </summary>
internal sealed record EnqueueOutcome(IReadOnlyList<string> JobIds, bool Replayed, long? QueueDepth = null)
{
    public bool IsQueueFull => QueueDepth is not null;

    public static EnqueueOutcome QueueFull(long depth) => new([], false, depth);
}
