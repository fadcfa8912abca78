using System.Diagnostics;

namespace MlAspire.Queue;

/// <summary>
/// Carries a trace across the queue: the gateway stores the W3C <c>traceparent</c> of its enqueue span in the job, and
/// the worker starts its processing span under it, so Gateway → Redis → Worker → Inference is one trace.
/// </summary>
internal static class JobTracing
{
    /// <summary>The W3C traceparent of <paramref name="activity"/>, or "" when there is none to carry.</summary>
    public static string TraceParent(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : "";

    /// <summary>Parses a stored traceparent; false for "" or anything malformed (the job then starts a new trace).</summary>
    public static bool TryParse(string? traceParent, out ActivityContext context)
    {
        context = default;
        return !string.IsNullOrEmpty(traceParent) &&
               ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out context);
    }
}
