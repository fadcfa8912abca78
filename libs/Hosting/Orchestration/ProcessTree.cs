using System.Globalization;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Finds and signals process trees through <c>/proc</c> (Linux). Descendants are collected before the
/// root is signalled: once the root dies its children are re-parented and can no longer be found from it.</summary>
internal static class ProcessTree
{
    public static ProcessIdentity? TryGetIdentity(int pid) =>
        TryReadStat(pid, out var state, out _, out var startTime) && state != 'Z' && state != 'X'
            ? new ProcessIdentity(pid, startTime)
            : null;

    public static bool IsAlive(ProcessIdentity process) =>
        TryReadStat(process.Pid, out var state, out _, out var startTime) && startTime == process.StartTime && state != 'Z' && state != 'X';

    /// <summary>Every live descendant of <paramref name="rootPid"/>, children before grandchildren.</summary>
    public static List<ProcessIdentity> GetDescendants(int rootPid)
    {
        var children = new Dictionary<int, List<ProcessIdentity>>();
        foreach (var directory in SafeEnumerateProc())
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryReadStat(pid, out var state, out var parent, out var startTime)
                && state != 'Z' && state != 'X')
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(new ProcessIdentity(pid, startTime));
            }
        }

        var result = new List<ProcessIdentity>();
        var queue = new Queue<int>([rootPid]);
        while (queue.Count > 0)
        {
            if (children.TryGetValue(queue.Dequeue(), out var direct))
            {
                foreach (var child in direct)
                {
                    result.Add(child);
                    queue.Enqueue(child.Pid);
                }
            }
        }

        return result;
    }

    /// <summary>Signals the process if it is still the same live process; false when it is gone.</summary>
    public static bool Signal(ProcessIdentity process, int signal) =>
        IsAlive(process) && NativeMethods.Kill(process.Pid, signal) == 0;

    private static List<string> SafeEnumerateProc()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc").ToList();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool TryReadStat(int pid, out char state, out int parent, out ulong startTime)
    {
        state = '\0';
        parent = 0;
        startTime = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid ... starttime": comm may hold spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out parent)
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out startTime))
        {
            return false;
        }

        state = fields[0][0];
        return true;
    }
}
