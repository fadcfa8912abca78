namespace MlAspire.Load.Bench;

/// <summary>
/// One accepted job as the load tool last saw it: its final status (<c>succeeded</c>, <c>failed</c>) or, when it never
/// reached one before the drain time ran out, the last status seen (then it counts as lost).
/// </summary>
internal sealed class JobOutcome(string id, LoadImage image, long submittedTimestamp)
{
    public string Id { get; } = id;

    public LoadImage Image { get; } = image;

    public long SubmittedTimestamp { get; } = submittedTimestamp;

    public string Status { get; set; } = "queued";

    public string? Error { get; set; }

    public string? TopLabel { get; set; }

    /// <summary>Submission to the answer that showed the final status.</summary>
    public TimeSpan? Latency { get; set; }

    public bool IsTerminal => Status is "succeeded" or "failed";
}
