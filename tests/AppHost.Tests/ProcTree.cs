using System.Globalization;

namespace MlAspire.AppHost.Tests;

/// <summary>Processes read from /proc: parent links, command lines, and whether a process still runs (a zombie
/// waiting for a parent that does not reap it has stopped running and holds nothing but its table entry).</summary>
internal static class ProcTree
{
    public static Dictionary<int, (int Parent, string CommandLine)> Snapshot()
    {
        var processes = new Dictionary<int, (int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                processes[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), commandLine);
            }
            catch (IOException)
            {
                // exited while we looked
            }
        }

        return processes;
    }

    /// <summary>The roots and every process below them.</summary>
    public static HashSet<int> Descendants(Dictionary<int, (int Parent, string CommandLine)> processes, IEnumerable<int> roots)
    {
        var result = new HashSet<int>(roots);
        var frontier = new Queue<int>(result);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, (ppid, _)) in processes)
            {
                if (ppid == parent && result.Add(pid))
                {
                    frontier.Enqueue(pid);
                }
            }
        }

        return result;
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
