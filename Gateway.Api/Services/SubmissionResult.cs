using Microsoft.AspNetCore.Http.HttpResults;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Either the jobs a submission created (or replayed), or the problem that stopped it before anything was stored.</summary>
internal sealed record SubmissionResult(EnqueueOutcome? Outcome, ProblemHttpResult? Problem);
