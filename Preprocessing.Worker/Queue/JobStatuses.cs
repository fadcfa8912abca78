namespace MlAspire.Queue;

/// <summary>The states of a job, as stored in its hash and published on <see cref="QueueKeys.JobEvents"/>.</summary>
internal static class JobStatuses
{
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsTerminal(string? status) => status is Succeeded or Failed;

    /// <summary>The event message for a status change.</summary>
    public static string EventMessage(string id, string status) => id + " " + status;

    /// <summary>Splits an event message into job id and status.</summary>
    public static bool TryParseEvent(string? message, out string id, out string status)
    {
        var space = message?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (space <= 0 || space == message!.Length - 1)
        {
            id = status = "";
            return false;
        }

        id = message[..space];
        status = message[(space + 1)..];
        return true;
    }
}
