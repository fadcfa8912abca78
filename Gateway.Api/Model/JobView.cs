using System.Text.Json.Serialization;
using MlAspire.Queue;

namespace MlAspire.Gateway.Api.Model;

/// <summary>A job's state and, when it succeeded, its result.</summary>
/// <param name="Id">Job id.</param>
/// <param name="Status"><c>queued</c>, <c>processing</c>, <c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Model">The model asked for.</param>
/// <param name="ModelVersion">The version that ran (when succeeded).</param>
/// <param name="Attempts">Processing attempts so far.</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="StartedAt">When a worker first took it.</param>
/// <param name="FinishedAt">When it succeeded or failed.</param>
/// <param name="Predictions">Top-k classes with softmax probabilities, best first (when succeeded).</param>
/// <param name="Timings">Where the time went (when finished).</param>
/// <param name="Error">Why it failed (when failed).</param>
internal sealed record JobView(
    string Id,
    string Status,
    string Model,
    string? ModelVersion,
    int Attempts,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<Prediction>? Predictions,
    JobTimingsView? Timings,
    string? Error)
{
    [JsonIgnore]
    public bool IsTerminal => JobStatuses.IsTerminal(Status);
}
