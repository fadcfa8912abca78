using System.Text;

namespace MlAspire.Hosting;

/// <summary>The plain-text table of replicas printed once everything has started.</summary>
internal static class ResourceTable
{
    public static void Write(TextWriter output, IReadOnlyList<ResourceSnapshot> snapshots)
    {
        string[] header = ["REPLICA", "TYPE", "STATE", "HEALTH", "RESTARTS", "PID", "URLS"];
        var rows = snapshots.Select(s => new[]
        {
            s.ReplicaId,
            s.ResourceType,
            s.State.ToString(),
            s.Health.ToString(),
            s.RestartCount.ToString(),
            s.ProcessId?.ToString() ?? "-",
            s.Urls.Count == 0 ? "-" : string.Join(' ', s.Urls),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }

        output.Write(text.ToString());
        output.Flush();
    }
}
