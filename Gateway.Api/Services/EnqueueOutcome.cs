namespace MlAspire.Gateway.Api.Services;

/// <summary>The job ids of a submission; <see cref="Replayed"/> when an Idempotency-Key returned earlier jobs.</summary>
internal sealed record EnqueueOutcome(IReadOnlyList<string> JobIds, bool Replayed);
