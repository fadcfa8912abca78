namespace MlAspire.Queue;

/// <summary>The states of a job, as stored in its hash and published on <see cref="QueueKeys.JobEvents"/>.</summary>
internal static class JobStatuses
{
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsTerminal(string? status) => status is Succeeded or Failed;

    /// <summary>The event message for a status change (the workers' scripts append the job's hash to terminal ones).</summary>
    public static string EventMessage(string id, string status) => id + " " + status;

    /// <summary>
    /// Splits an event message, <c>id status [snapshot]</c>, into job id, status and the snapshot: for terminal
    /// events, the job's hash as it was written, as a JSON array of alternating field names and values (null when
    /// the message has none).
    /// </summary>
    public static bool TryParseEvent(string? message, out string id, out string status, out string? snapshot)
    {
        id = status = "";
        snapshot = null;
        var space = message?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (space <= 0 || space == message!.Length - 1)
        {
            return false;
        }

        var end = message.IndexOf(' ', space + 1);
        if (end == space + 1)
        {
            return false;
        }

        id = message[..space];
        status = end < 0 ? message[(space + 1)..] : message[(space + 1)..end];
        snapshot = end < 0 || end == message.Length - 1 ? null : message[(end + 1)..];
        return true;
    }
}
