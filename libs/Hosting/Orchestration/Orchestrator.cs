using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Run mode: allocates ports, builds projects, starts every replica in dependency order honouring
/// WaitFor, and stops everything in reverse order.</summary>
internal sealed class Orchestrator : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly ResourceNotificationService _notifications;
    private readonly ResourceLoggerService _logs;
    private readonly ILogger _logger;
    private readonly TextWriter? _echo;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) });
    private readonly List<(Resource Resource, List<ReplicaRunner> Runners)> _started = [];
    private readonly Lock _gate = new();
    private readonly string _stateDirectory;
    private readonly string _runDirectory;
    private RunValues? _values;
    private int _startRequested;
    private int _stopped;

    public Orchestrator(DistributedApplicationBuilder builder, ResourceNotificationService notifications, ResourceLoggerService logs, ILogger logger, TextWriter? echo)
    {
        _builder = builder;
        _notifications = notifications;
        _logs = logs;
        _logger = logger;
        _echo = echo;
        _stateDirectory = Path.GetFullPath(builder.Options.StateDirectory ?? Path.Combine(builder.AppHostDirectory, "obj", "mlaspire"));
        _runDirectory = Path.Combine(_stateDirectory, "runs", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
    }

    private DistributedApplicationOptions Options => _builder.Options;

    public RunValues Values => _values ?? throw new InvalidOperationException("The application has not been started.");

    public IReadOnlyList<ReplicaRunner> Runners
    {
        get
        {
            lock (_gate)
            {
                return [.. _started.SelectMany(s => s.Runners)];
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _startRequested, 1) == 1)
        {
            throw new InvalidOperationException("The application can be started only once.");
        }

        var resources = TopologyValidator.StartOrder(_builder.Resources).Where(r => r.IsRunnable).ToList();
        _values = RunValues.Allocate(resources, _builder.Configuration);
        var plans = resources.ToDictionary(r => r, r => Enumerable.Range(0, r.Replicas).Select(i => RunPlanner.Plan(r, i, _values, Options)).ToList());
        Directory.CreateDirectory(_runDirectory);

        var runners = new Dictionary<Resource, List<ReplicaRunner>>();
        foreach (var resource in resources)
        {
            runners[resource] = [.. plans[resource].Select(plan => CreateRunner(plan, dll: null))];
            foreach (var runner in runners[resource])
            {
                runner.Publish(s => s with { State = ResourceState.NotStarted });
            }
        }

        try
        {
            var projects = resources.OfType<ProjectResource>().ToList();
            if (projects.Count > 0)
            {
                foreach (var project in projects)
                {
                    Publish(runners[project], s => s with { State = ResourceState.Building, Message = null });
                }

                Log.Building(_logger, string.Join(", ", projects.Select(p => p.Name)));
                Dictionary<ProjectResource, string> outputs;
                try
                {
                    outputs = await ProjectBuilder.BuildAsync(projects, _runDirectory, Options.BuildProjects, cancellationToken).ConfigureAwait(false);
                }
                catch (DistributedApplicationException ex)
                {
                    foreach (var project in projects)
                    {
                        Publish(runners[project], s => s with { State = ResourceState.FailedToStart, Message = ex.Message });
                    }

                    throw;
                }

                foreach (var project in projects)
                {
                    foreach (var runner in runners[project])
                    {
                        runner.Dispose();
                    }

                    runners[project] = [.. plans[project].Select(plan => CreateRunner(plan, outputs[project]))];
                }
            }

            var tasks = new Dictionary<Resource, Task>();
            foreach (var resource in resources)
            {
                tasks[resource] = StartResourceAsync(resource, runners[resource], tasks, cancellationToken);
            }

            try
            {
                await Task.WhenAll(tasks.Values).ConfigureAwait(false);
            }
            catch (Exception) when (tasks.Values.Any(t => t.IsFaulted))
            {
                var messages = tasks.Values.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).Select(e => e.Message).Distinct();
                throw new DistributedApplicationException("The application did not start:\n" + string.Join('\n', messages));
            }
        }
        catch
        {
            foreach (var pending in runners.Values.SelectMany(r => r))
            {
                lock (_gate)
                {
                    if (_started.Any(s => s.Runners.Contains(pending)))
                    {
                        continue;
                    }
                }

                pending.Dispose();
            }

            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || Volatile.Read(ref _startRequested) == 0)
        {
            return;
        }

        List<(Resource Resource, List<ReplicaRunner> Runners)> started;
        lock (_gate)
        {
            started = [.. _started];
        }

        // Reverse dependency order: dependents stop before what they depend on.
        var order = TopologyValidator.StartOrder(_builder.Resources);
        foreach (var (resource, runners) in started.OrderByDescending(s => order.IndexOf(s.Resource)))
        {
            Log.Stopping(_logger, resource.Name);
            await Task.WhenAll(runners.Select(r => r.StopAsync())).ConfigureAwait(false);
        }

        foreach (var runner in started.SelectMany(s => s.Runners))
        {
            runner.Dispose();
        }

        TryDeleteDirectory(_runDirectory);
        Log.Stopped(_logger);
    }

    /// <summary>Stops one replica (SIGTERM, SIGKILL after <c>StopTimeout</c>); it is not restarted until started again.</summary>
    public Task StopReplicaAsync(string replicaId) => FindRunner(replicaId).StopReplicaAsync();

    /// <summary>Starts a stopped replica again; false when it is running (or the application is stopping).</summary>
    public bool StartReplica(string replicaId) => FindRunner(replicaId).TryStartAgain();

    public async Task RestartReplicaAsync(string replicaId)
    {
        var runner = FindRunner(replicaId);
        await runner.StopReplicaAsync().ConfigureAwait(false);
        runner.TryStartAgain();
    }

    /// <summary>The AppHost is going away without a graceful stop: SIGKILL every tree now.</summary>
    public void KillAll()
    {
        foreach (var runner in Runners)
        {
            runner.KillNow();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private ReplicaRunner FindRunner(string replicaId) =>
        Runners.FirstOrDefault(r => r.ReplicaId == replicaId)
        ?? throw new KeyNotFoundException($"No started replica '{replicaId}'.");

    private static void Publish(List<ReplicaRunner> runners, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        foreach (var runner in runners)
        {
            runner.Publish(update);
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder under obj/ is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private async Task StartResourceAsync(Resource resource, List<ReplicaRunner> runners, Dictionary<Resource, Task> started, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (resource.WaitForResources.Count > 0)
        {
            var names = string.Join(", ", resource.WaitForResources.Select(r => r.Name));
            Publish(runners, s => s with { State = ResourceState.Waiting, Message = $"waiting for {names}" });
            Log.Waiting(_logger, resource.Name, names);
            var dependencies = Task.WhenAll(resource.WaitForResources.Select(d => started[d]));
            try
            {
                await dependencies.WaitAsync(Options.StartupTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                var pending = resource.WaitForResources.Where(d => !started[d].IsCompletedSuccessfully).Select(d => $"'{d.Name}'");
                var message = $"Resource '{resource.Name}' did not start: {string.Join(", ", pending)} did not become healthy within {Options.StartupTimeout.TotalSeconds:0.#}s.";
                Publish(runners, s => s with { State = ResourceState.FailedToStart, Message = message });
                throw new DistributedApplicationException(message);
            }
            catch (DistributedApplicationException)
            {
                var failed = resource.WaitForResources.Where(d => started[d].IsFaulted).Select(d => $"'{d.Name}'");
                var message = $"Resource '{resource.Name}' did not start: it waits for {string.Join(", ", failed)}, which failed to start.";
                Publish(runners, s => s with { State = ResourceState.FailedToStart, Message = message });
                throw new DistributedApplicationException(message);
            }
        }

        lock (_gate)
        {
            _started.Add((resource, runners));
        }

        foreach (var runner in runners)
        {
            Publish([runner], s => s with { State = ResourceState.Starting, Message = null });
            runner.Start();
        }

        await WaitHealthyAsync(resource, runners, cancellationToken).ConfigureAwait(false);
        Log.Healthy(_logger, resource.Name);
    }

    private async Task WaitHealthyAsync(Resource resource, List<ReplicaRunner> runners, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.StartupTimeout);
        try
        {
            await foreach (var _ in _notifications.WatchAsync(timeout.Token).ConfigureAwait(false))
            {
                var snapshots = runners.Select(r => _notifications.GetSnapshot(r.ReplicaId)!).ToList();
                if (snapshots.TrueForAll(s => s.IsHealthy))
                {
                    return;
                }

                if (snapshots.Find(s => s.State == ResourceState.FailedToStart) is { } failed)
                {
                    throw new DistributedApplicationException(
                        $"Resource '{resource.Name}' failed to start: {failed.ReplicaId}: {failed.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var message = new StringBuilder().Append(CultureInfo.InvariantCulture,
                $"Resource '{resource.Name}' did not become healthy within {Options.StartupTimeout.TotalSeconds:0.#}s:");
            foreach (var runner in runners)
            {
                var s = _notifications.GetSnapshot(runner.ReplicaId)!;
                message.Append(CultureInfo.InvariantCulture,
                    $"\n  {s.ReplicaId}: {s.State}, health {s.Health}, restarts {s.RestartCount}")
                    .Append(s.ExitCode is { } code ? $", last exit code {code}" : string.Empty)
                    .Append(s.Message is { } reason ? $" ({reason})" : string.Empty);
                var tail = runner.Tail();
                if (tail.Length > 0)
                {
                    message.Append("\n  last output:\n").Append(tail);
                }
            }

            throw new DistributedApplicationException(message.ToString());
        }
    }

    private ReplicaRunner CreateRunner(ReplicaPlan plan, string? dll)
    {
        var launch = CreateLaunch(plan, dll);
        IHealthProbe? probe = plan.Resource switch
        {
            RedisResource redis => new RedisPingProbe(
                Values.GetPort(redis, RedisResource.EndpointName, plan.Index),
                redis.PasswordParameter is null ? null : Values.GetParameterValue(redis.PasswordParameter)),
            _ when plan.HealthUrl is not null => new HttpHealthProbe(_http, new Uri(plan.HealthUrl)),
            _ => null,
        };
        return new ReplicaRunner(plan, launch, probe, _notifications, _logs, Options, _logger, Options.EchoResourceLogs ? _echo : null);
    }

    private LaunchSpec CreateLaunch(ReplicaPlan plan, string? dll) => plan.Resource switch
    {
        ProjectResource project => new LaunchSpec(
            DotNetHost.Path,
            [dll ?? project.ProjectPath, .. plan.Args],
            Path.GetDirectoryName(project.ProjectPath)!,
            plan.Environment,
            $"dotnet {Path.GetFileName(dll ?? project.ProjectPath)}"),
        ExecutableResource executable => new LaunchSpec(
            ResolveCommand(executable.Command, executable.WorkingDirectory),
            plan.Args,
            executable.WorkingDirectory,
            plan.Environment,
            string.Join(' ', [executable.Command, .. plan.Args])),
        RedisResource { UseServerProcess: true } redis => CreateRedisProcessLaunch(redis, plan),
        ContainerResource container => CreateContainerLaunch(container, plan),
        _ => throw new DistributedApplicationException($"{plan.Resource} cannot run in run mode."),
    };

    private static string ResolveCommand(string command, string workingDirectory) =>
        command.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(Path.Combine(workingDirectory, command)) : command;

    /// <summary>A local <c>redis-server</c>: loopback only, the password in a 0600 config file (not on the
    /// command line, where <c>ps</c> would show it), data in the state folder (kept across runs with a data volume).</summary>
    private LaunchSpec CreateRedisProcessLaunch(RedisResource redis, ReplicaPlan plan)
    {
        var dataDirectory = redis.HasDataVolume
            ? Path.Combine(_stateDirectory, "data", plan.ReplicaId)
            : Path.Combine(_runDirectory, plan.ReplicaId);
        Directory.CreateDirectory(dataDirectory);
        var config = new StringBuilder()
            .Append("bind 127.0.0.1\n")
            .Append(CultureInfo.InvariantCulture, $"port {Values.GetPort(redis, RedisResource.EndpointName, plan.Index)}\n")
            .Append("protected-mode yes\ndaemonize no\n")
            .Append(CultureInfo.InvariantCulture, $"dir {QuoteConfig(dataDirectory)}\n");
        if (redis.PasswordParameter is { } password)
        {
            config.Append(CultureInfo.InvariantCulture, $"requirepass {QuoteConfig(Values.GetParameterValue(password))}\n");
        }

        config.Append(redis.AppendOnly ? "appendonly yes\nappendfsync always\n" : "appendonly no\n")
            .Append(redis.HasDataVolume && !redis.AppendOnly ? "save 60 1\n" : "save \"\"\n");

        var configPath = Path.Combine(_runDirectory, $"{plan.ReplicaId}.conf");
        File.WriteAllText(configPath, string.Empty);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(configPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(configPath, config.ToString());
        return new LaunchSpec(redis.ServerCommand, [configPath, .. plan.Args], dataDirectory, plan.Environment, $"{redis.ServerCommand} {configPath}");
    }

    private static string QuoteConfig(string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new DistributedApplicationException("A Redis setting (password or folder) contains a line break or NUL character.");
        }

        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><c>docker run</c> of the image; ports are published on loopback only; secrets reach the container
    /// as <c>-e NAME</c> taken from the docker client's environment, so they are not on its command line.</summary>
    private LaunchSpec CreateContainerLaunch(ContainerResource container, ReplicaPlan plan)
    {
        var args = new List<string> { "run", "--rm", "--name", $"mlaspire-{plan.ReplicaId}-{Environment.ProcessId}" };
        foreach (var endpoint in container.Endpoints)
        {
            args.Add("-p");
            args.Add($"127.0.0.1:{Values.GetPort(container, endpoint.Name, plan.Index)}:{endpoint.TargetPort}");
        }

        var env = new Dictionary<string, string>(plan.Environment);
        IReadOnlyList<string> containerArgs = plan.Args;
        var entrypoint = container.Entrypoint;
        if (container is RedisResource redis)
        {
            entrypoint = RedisCommandLine.Entrypoint;
            containerArgs = [.. RedisCommandLine.ContainerArgs(redis), .. plan.Args];
            if (redis.PasswordParameter is { } password)
            {
                env[RedisCommandLine.PasswordVariable] = Values.GetParameterValue(password);
            }
        }

        foreach (var key in env.Keys)
        {
            args.Add("-e");
            args.Add(key);
        }

        foreach (var volume in container.Volumes)
        {
            args.Add("-v");
            args.Add($"{volume.Name}:{volume.Target}{(volume.IsReadOnly ? ":ro" : string.Empty)}");
        }

        if (entrypoint is not null)
        {
            args.Add("--entrypoint");
            args.Add(entrypoint);
        }

        args.Add($"{container.Image}:{container.Tag}");
        args.AddRange(containerArgs);
        return new LaunchSpec("docker", args, _builder.AppHostDirectory, env, $"docker run {container.Image}:{container.Tag}");
    }
}
