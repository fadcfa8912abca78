using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Runs one replica: starts its process, captures output, runs the health check, restarts it with
/// exponential backoff when it crashes and stops its whole process tree (SIGTERM, then SIGKILL after the grace period).</summary>
internal sealed class ReplicaRunner : IDisposable
{
    private const int FailureLogLines = 10;

    private readonly ReplicaPlan _plan;
    private readonly LaunchSpec _launch;
    private readonly IHealthProbe? _probe;
    private readonly ResourceNotificationService _notifications;
    private readonly ResourceLoggerService _logs;
    private readonly DistributedApplicationOptions _options;
    private readonly ILogger _logger;
    private readonly TextWriter? _echo;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<ProcessIdentity> _tracked = [];
    private readonly HashSet<int> _allProcessIds = [];
    private Process? _process;
    private Task _loop = Task.CompletedTask;
    private CancellationTokenSource? _run;
    private int _restarts;
    private volatile bool _disposed;

    public ReplicaRunner(
        ReplicaPlan plan,
        LaunchSpec launch,
        IHealthProbe? probe,
        ResourceNotificationService notifications,
        ResourceLoggerService logs,
        DistributedApplicationOptions options,
        ILogger logger,
        TextWriter? echo)
    {
        _plan = plan;
        _launch = launch;
        _probe = probe;
        _notifications = notifications;
        _logs = logs;
        _options = options;
        _logger = logger;
        _echo = echo;
    }

    public string ReplicaId => _plan.ReplicaId;

    /// <summary>What run mode decided for this replica (its environment is shown, masked, by the dashboard).</summary>
    public ReplicaPlan Plan => _plan;

    /// <summary>Every process id this replica started or saw as a descendant.</summary>
    public IReadOnlyCollection<int> AllProcessIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _allProcessIds];
            }
        }
    }

    public ResourceSnapshot Publish(Func<ResourceSnapshot, ResourceSnapshot> update) =>
        _notifications.Publish(_plan.ReplicaId, update, new ResourceSnapshot
        {
            ResourceName = _plan.Resource.Name,
            ResourceType = _plan.Resource.ManifestType,
            ReplicaId = _plan.ReplicaId,
            ReplicaIndex = _plan.Index,
            Urls = _plan.Urls,
        });

    public void Start()
    {
        lock (_gate)
        {
            StartLoop();
        }
    }

    /// <summary>Stops this replica only (a dashboard action): its process tree gets SIGTERM, then SIGKILL after
    /// the grace period; it stays <see cref="ResourceState.Finished"/> until <see cref="TryStartAgain"/>.</summary>
    public async Task StopReplicaAsync()
    {
        Task loop;
        lock (_gate)
        {
            loop = _loop;
            if (_run is null || loop.IsCompleted)
            {
                return;
            }

            _run.Cancel();
        }

        Publish(s => s.State is ResourceState.Running or ResourceState.Starting or ResourceState.Exited ? s with { State = ResourceState.Stopping } : s);
        await TerminateTreeAsync(_options.StopTimeout).ConfigureAwait(false);
        while (await Task.WhenAny(loop, Task.Delay(100)).ConfigureAwait(false) != loop)
        {
            await TerminateTreeAsync(_options.StopTimeout).ConfigureAwait(false);
        }

        await loop.ConfigureAwait(false);
    }

    /// <summary>Starts a replica stopped by <see cref="StopReplicaAsync"/> again; false when it is still running or
    /// the whole application is stopping.</summary>
    public bool TryStartAgain()
    {
        lock (_gate)
        {
            if (_disposed || _stopping.IsCancellationRequested || !_loop.IsCompleted)
            {
                return false;
            }

            var restarts = Interlocked.Increment(ref _restarts);
            Publish(s => s with { State = ResourceState.Starting, RestartCount = restarts, Message = null });
            StartLoop();
            return true;
        }
    }

    private void StartLoop()
    {
        _run?.Dispose();
        _run = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var token = _run.Token;
        _loop = Task.Run(() => RunLoopAsync(token));
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail() => string.Join('\n', _logs.GetLogs(_plan.ReplicaId, FailureLogLines).Select(l => "    " + l.Text));

    public async Task StopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            Publish(s => s.State is ResourceState.Running or ResourceState.Starting ? s with { State = ResourceState.Stopping } : s);
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        // The loop may be starting a process right now; keep terminating until it has seen the stop.
        await TerminateTreeAsync(_options.StopTimeout).ConfigureAwait(false);
        while (await Task.WhenAny(_loop, Task.Delay(100)).ConfigureAwait(false) != _loop)
        {
            await TerminateTreeAsync(_options.StopTimeout).ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(false);
    }

    /// <summary>Crash path (AppHost exiting): SIGKILL everything this replica started, synchronously.</summary>
    public void KillNow()
    {
        if (_disposed)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var process in SnapshotTree())
        {
            ProcessTree.Signal(process, NativeMethods.SigKill);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _run?.Dispose();
        _stopping.Dispose();
        _process?.Dispose();
    }

    private async Task RunLoopAsync(CancellationToken stop)
    {
        var consecutiveCrashes = 0;
        while (!stop.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = StartProcess();
            }
            catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException)
            {
                Log.ReplicaFailedToStart(_logger, _plan.ReplicaId, _launch.DisplayCommand, ex.Message);
                Publish(s => s with { State = ResourceState.FailedToStart, Health = HealthStatus.Unhealthy, Message = $"cannot start '{_launch.DisplayCommand}': {ex.Message}" });
                return;
            }

            var startedAt = Stopwatch.GetTimestamp();
            Publish(s => s with
            {
                State = ResourceState.Running,
                Health = _probe is null ? HealthStatus.Healthy : HealthStatus.Unknown,
                ProcessId = process.Id,
                ExitCode = null,
                RestartCount = Volatile.Read(ref _restarts),
                Message = null,
            });

            using (var monitor = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                var monitorTask = MonitorAsync(process, monitor.Token);
                await WaitForExitAsync(process).ConfigureAwait(false);
                await monitor.CancelAsync().ConfigureAwait(false);
                await monitorTask.ConfigureAwait(false);
            }

            var exitCode = process.ExitCode;
            if (stop.IsCancellationRequested)
            {
                Publish(s => s with { State = ResourceState.Finished, Health = HealthStatus.Unknown, ExitCode = exitCode, Message = null });
                return;
            }

            // A crash: the root is gone but its children may linger holding ports; kill them before restarting.
            foreach (var orphan in SnapshotTree())
            {
                ProcessTree.Signal(orphan, NativeMethods.SigKill);
            }

            if (Stopwatch.GetElapsedTime(startedAt) > _options.MaxRestartDelay * 2)
            {
                consecutiveCrashes = 0;
            }

            var delay = TimeSpan.FromTicks(Math.Min(_options.RestartDelay.Ticks << Math.Min(consecutiveCrashes, 20), _options.MaxRestartDelay.Ticks));
            consecutiveCrashes++;
            Log.ReplicaExited(_logger, _plan.ReplicaId, exitCode, delay.TotalSeconds);
            Publish(s => s with
            {
                State = ResourceState.Exited,
                Health = HealthStatus.Unhealthy,
                ExitCode = exitCode,
                ProcessId = null,
                Message = $"exited with code {exitCode}; restarting in {delay.TotalSeconds:0.#}s",
            });

            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Publish(s => s with { State = ResourceState.Finished, Message = null });
                return;
            }

            var restarts = Interlocked.Increment(ref _restarts);
            Publish(s => s with { State = ResourceState.Starting, RestartCount = restarts });
        }
    }

    private Process StartProcess()
    {
        var info = new ProcessStartInfo(_launch.FileName)
        {
            WorkingDirectory = _launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in _launch.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _launch.Environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        lock (_gate)
        {
            _process?.Dispose();
            _process = process;
            _allProcessIds.Add(process.Id);
            if (ProcessTree.TryGetIdentity(process.Id) is { } identity)
            {
                _tracked.Add(identity);
            }
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void OnOutput(string? text, bool isError)
    {
        if (text is null)
        {
            return;
        }

        _logs.Append(_plan.Resource.Name, _plan.ReplicaId, text, isError);
        _echo?.WriteLine($"[{_plan.ReplicaId}] {text}");
    }

    /// <summary>Waits for the root process itself, not for its output pipes: a lingering grandchild may keep them open.</summary>
    private static async Task WaitForExitAsync(Process process)
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        while (!process.HasExited)
        {
            await Task.WhenAny(exited.Task, Task.Delay(500)).ConfigureAwait(false);
        }

        // Give the readers a moment to drain the last lines (they end at EOF or when the pipe is closed).
        await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(1000)).ConfigureAwait(false);
    }

    /// <summary>Tracks descendants (so a crash or stop can reach them after re-parenting) and runs the health check.</summary>
    private async Task MonitorAsync(Process process, CancellationToken cancellationToken)
    {
        var healthy = _probe is null;
        while (!cancellationToken.IsCancellationRequested)
        {
            TrackDescendants(process.Id);
            if (_probe is not null)
            {
                string? problem;
                try
                {
                    problem = await _probe.CheckAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if ((problem is null) != healthy || problem is not null)
                {
                    healthy = problem is null;
                    Publish(s => s.State == ResourceState.Running && s.ProcessId == process.Id
                        ? s with { Health = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy, Message = problem }
                        : s);
                }
            }

            try
            {
                var interval = healthy ? _options.HealthCheckInterval : TimeSpan.FromTicks(Math.Min(_options.HealthCheckInterval.Ticks, TimeSpan.FromMilliseconds(250).Ticks));
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void TrackDescendants(int pid)
    {
        var descendants = ProcessTree.GetDescendants(pid);
        lock (_gate)
        {
            foreach (var descendant in descendants)
            {
                _tracked.Add(descendant);
                _allProcessIds.Add(descendant.Pid);
            }
        }
    }

    private List<ProcessIdentity> SnapshotTree()
    {
        int? root;
        lock (_gate)
        {
            root = _process is { } p && !p.HasExited ? p.Id : null;
        }

        if (root is { } pid)
        {
            TrackDescendants(pid);
        }

        lock (_gate)
        {
            _tracked.RemoveWhere(p => !ProcessTree.IsAlive(p));
            return [.. _tracked];
        }
    }

    private async Task TerminateTreeAsync(TimeSpan grace)
    {
        var tree = SnapshotTree();
        if (tree.Count == 0)
        {
            return;
        }

        foreach (var process in tree)
        {
            ProcessTree.Signal(process, NativeMethods.SigTerm);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && tree.Exists(ProcessTree.IsAlive))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        var survivors = SnapshotTree();
        if (survivors.Count > 0)
        {
            Log.ReplicaKilled(_logger, _plan.ReplicaId, survivors.Count, grace.TotalSeconds);
            foreach (var process in survivors)
            {
                ProcessTree.Signal(process, NativeMethods.SigKill);
            }

            while (survivors.Exists(ProcessTree.IsAlive) && Stopwatch.GetTimestamp() < deadline + Stopwatch.Frequency * 5)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }
}
