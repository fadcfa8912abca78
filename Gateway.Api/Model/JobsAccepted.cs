namespace MlAspire.Gateway.Api.Model;

/// <summary>The answer to POST /v1/jobs: the first job's id and status, and every job created (one per image).</summary>
/// <param name="Id">The first (for a single image, the only) job's id.</param>
/// <param name="Status">Its status (<c>queued</c>, or later when an Idempotency-Key replay found it further on).</param>
/// <param name="Jobs">Every job of the submission, in the order of the images.</param>
/// <param name="Replayed">True when an Idempotency-Key replay returned jobs created before.</param>
internal sealed record JobsAccepted(string Id, string Status, IReadOnlyList<JobReference> Jobs, bool Replayed);
