using System.Runtime.InteropServices;

namespace MlAspire.Hosting.Orchestration;

internal static partial class NativeMethods
{
    /// <summary>SIGTERM (POSIX signal 15).</summary>
    public const int SigTerm = 15;

    /// <summary>SIGKILL (POSIX signal 9).</summary>
    public const int SigKill = 9;

    /// <summary>kill(2): sends a signal to a process.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
