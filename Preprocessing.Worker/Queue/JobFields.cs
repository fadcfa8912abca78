namespace MlAspire.Queue;

/// <summary>Field names of the job hash <c>mlaspire:job:{id}</c>.</summary>
internal static class JobFields
{
    public const string Status = "status";
    public const string Model = "model";
    public const string Top = "top";
    public const string Created = "created";
    public const string Started = "started";
    public const string Finished = "finished";
    public const string Attempts = "attempts";
    public const string Worker = "worker";
    public const string Result = "result";
    public const string Error = "error";

    /// <summary>W3C trace context of the span that enqueued the job, so the worker continues the same trace.</summary>
    public const string TraceParent = "traceparent";
}
