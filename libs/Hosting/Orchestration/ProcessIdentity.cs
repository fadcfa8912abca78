namespace MlAspire.Hosting.Orchestration;

/// <summary>A process id plus its start time (clock ticks since boot, <c>/proc/&lt;pid&gt;/stat</c> field 22),
/// so a signal never reaches an unrelated process that reused the id.</summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTime);
