using System.Diagnostics;
using System.Net.Sockets;

namespace MlAspire.Hosting.Tests;

/// <summary>Run mode against real processes: Python HTTP servers, shell sleepers and redis-server.</summary>
public sealed class DistributedApplicationTests
{
    [Fact]
    public async Task DependentStartsOnlyAfterItsDependencyIsHealthy()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        var backend = builder.AddHealthServer("backend").WithEnvironment("HEALTHY_AFTER", "1.5");
        builder.AddHealthServer("frontend").WithReference(backend).WaitFor(backend);
        await using var app = builder.Build();
        var events = new List<ResourceSnapshot>();
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            await foreach (var snapshot in app.ResourceNotifications.WatchAsync(watching.Token))
            {
                lock (events)
                {
                    events.Add(snapshot);
                }
            }
        });

        await app.StartAsync(timeout.Token);
        await watching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watcher);

        List<ResourceSnapshot> seen;
        lock (events)
        {
            seen = [.. events];
        }

        var backendHealthy = seen.FindIndex(s => s.ReplicaId == "backend-0" && s.IsHealthy);
        var backendUnhealthy = seen.FindIndex(s => s.ReplicaId == "backend-0" && s.Health == HealthStatus.Unhealthy);
        var frontendWaiting = seen.FindIndex(s => s.ReplicaId == "frontend-0" && s.State == ResourceState.Waiting);
        var frontendProcess = seen.FindIndex(s => s.ReplicaId == "frontend-0" && s.ProcessId is not null);
        Assert.True(backendUnhealthy >= 0, "the backend answered 503 first");
        Assert.True(frontendWaiting >= 0 && frontendWaiting < backendHealthy, "the frontend waited");
        Assert.True(backendHealthy >= 0 && frontendProcess > backendHealthy, $"frontend started at event {frontendProcess}, backend healthy at {backendHealthy}");
        Assert.True(app.ResourceNotifications.GetSnapshot("frontend-0")!.IsHealthy);
    }

    [Fact]
    public async Task WaitForOnResourceThatNeverBecomesHealthyFailsNamingBoth()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.Options.StartupTimeout = TimeSpan.FromSeconds(8);
        var backend = builder.AddHealthServer("backend").WithEnvironment("NEVER_HEALTHY", "1");
        builder.AddExecutable("frontend", "sleep", ".", "300").WaitFor(backend);
        await using var app = builder.Build();

        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(timeout.Token));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(40));
        Assert.Contains("Resource 'backend' did not become healthy within 8s", error.Message, StringComparison.Ordinal);
        Assert.Contains("returned 503", error.Message, StringComparison.Ordinal);
        Assert.Contains("Resource 'frontend' did not start", error.Message, StringComparison.Ordinal);
        var frontend = app.ResourceNotifications.GetSnapshot("frontend-0")!;
        Assert.Equal(ResourceState.FailedToStart, frontend.State);
        Assert.Null(frontend.ProcessId);
        Assert.Empty(app.Orchestrator.Runners.Where(r => r.ReplicaId == "frontend-0").SelectMany(r => r.AllProcessIds));
    }

    [Fact]
    public async Task CrashedProcessIsRestartedWithGrowingBackoffAndCountsRestarts()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("crasher", "sh", ".", "-c", "echo attempt; exit 3");
        await using var app = builder.Build();
        var delays = new List<string>();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var restarted = Task.Run(async () =>
        {
            await foreach (var s in app.ResourceNotifications.WatchAsync(watching.Token))
            {
                if (s.State == ResourceState.Exited && s.Message is not null && !delays.Contains(s.Message))
                {
                    delays.Add(s.Message);
                }

                if (s.RestartCount >= 3 && s.State == ResourceState.Running)
                {
                    return s;
                }
            }

            throw new InvalidOperationException("watch ended");
        });

        await app.StartAsync(timeout.Token);
        var snapshot = await restarted.WaitAsync(timeout.Token);

        Assert.Equal(3, snapshot.RestartCount);
        Assert.Equal(
            ["exited with code 3; restarting in 0.2s", "exited with code 3; restarting in 0.4s", "exited with code 3; restarting in 0.8s"],
            delays.Take(3));
        Assert.True(app.ResourceLogs.GetLogs("crasher-0").Count(l => l.Text == "attempt") >= 3);
    }

    [Fact]
    public async Task StoppingTerminatesEveryProcessTreeAndLeavesNothingRunning()
    {
        using var timeout = TestApp.Timeout(90);
        var builder = TestApp.CreateBuilder();
        builder.Options.StopTimeout = TimeSpan.FromSeconds(1);
        var server = builder.AddHealthServer("server").WithReplicas(2);
        builder.AddExecutable("forker", "sh", ".", "-c", "sleep 1000 & sleep 1000 & wait").WaitFor(server);
        // Ignores SIGTERM (inherited by its child), so only SIGKILL after the grace period ends it.
        builder.AddExecutable("stubborn", "sh", ".", "-c", "trap '' TERM; sleep 1000 & wait");
        await using var app = builder.Build();

        await app.StartAsync(timeout.Token);
        var roots = app.ResourceNotifications.GetCurrentSnapshots().Select(s => s.ProcessId!.Value).ToList();
        var deadline = Stopwatch.StartNew();
        List<int> all;
        do
        {
            await Task.Delay(100, timeout.Token);
            all = [.. roots, .. roots.SelectMany(ProcFs.Descendants)];
        }
        while (all.Count < roots.Count + 3 && deadline.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(4, roots.Count);
        Assert.True(all.Count >= 7, $"expected the sleepers as grandchildren, saw {all.Count} processes");
        Assert.All(all, pid => Assert.True(ProcFs.IsRunning(pid)));
        await Task.Delay(500, timeout.Token); // let the monitor record the descendants too

        await app.StopAsync().WaitAsync(timeout.Token);

        Assert.All(all, pid => Assert.False(ProcFs.IsRunning(pid), $"process {pid} is still running"));
        var recorded = app.Orchestrator.Runners.SelectMany(r => r.AllProcessIds).ToList();
        Assert.Superset(all.ToHashSet(), recorded.ToHashSet());
        Assert.All(recorded, pid => Assert.False(ProcFs.IsRunning(pid), $"recorded process {pid} is still running"));
        Assert.All(app.ResourceNotifications.GetCurrentSnapshots(), s => Assert.Equal(ResourceState.Finished, s.State));
    }

    [Fact]
    public async Task EveryReplicaListensOnItsOwnFreePort()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.AddHealthServer("server").WithReplicas(3).WithEndpoint("admin");
        await using var app = builder.Build();

        await app.StartAsync(timeout.Token);

        var snapshots = app.ResourceNotifications.GetCurrentSnapshots();
        Assert.Equal(3, snapshots.Count);
        Assert.All(snapshots, s => Assert.True(s.IsHealthy));
        var urls = snapshots.SelectMany(s => s.Urls).ToList();
        Assert.Equal(6, urls.Count);
        Assert.Equal(6, urls.Distinct().Count());
        using var http = new HttpClient();
        foreach (var snapshot in snapshots)
        {
            // Each replica's own server answers on its own URL, with its OTEL_SERVICE_NAME.
            var body = await http.GetStringAsync(new Uri(snapshot.Urls[0] + "/health"), timeout.Token);
            Assert.Equal("server", body);
        }
    }

    [Fact]
    public async Task RedisStartsWithThePasswordAndAnswersAuthAndPing()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder("--Parameters:redis-password=pa55-word");
        var password = builder.AddParameter("redis-password", secret: true);
        builder.AddRedis("redis").WithPassword(password).WithDataVolume().WithAppendOnlyPersistence();
        await using var app = builder.Build();

        await app.StartAsync(timeout.Token);

        var snapshot = app.ResourceNotifications.GetSnapshot("redis-0")!;
        Assert.True(snapshot.IsHealthy);
        var port = new Uri(snapshot.Urls.Single()).Port;
        Assert.Equal("PONG", await RedisCliAsync(port, "pa55-word", timeout.Token, "PING"));
        Assert.Contains("NOAUTH", await RedisCliAsync(port, null, timeout.Token, "PING"), StringComparison.Ordinal);
        Assert.Contains("WRONGPASS", await RedisCliAsync(port, "wrong", timeout.Token, "PING"), StringComparison.Ordinal);
        Assert.Equal("appendonly\nyes", await RedisCliAsync(port, "pa55-word", timeout.Token, "CONFIG", "GET", "appendonly"));
        Assert.Equal("appendfsync\nalways", await RedisCliAsync(port, "pa55-word", timeout.Token, "CONFIG", "GET", "appendfsync"));
        var dir = await RedisCliAsync(port, "pa55-word", timeout.Token, "CONFIG", "GET", "dir");
        Assert.StartsWith(Path.Combine(app.Options.StateDirectory!, "data", "redis-0"), dir.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeneratedRedisPasswordWorksAndIsNeverPrinted()
    {
        using var timeout = TestApp.Timeout();
        var output = new StringWriter();
        var builder = TestApp.CreateBuilder(output);
        var redis = builder.AddRedis("cache");
        builder.AddExecutable("client", "sh", ".", "-c", "echo connecting; sleep 300").WithReference(redis).WaitFor(redis);
        await using var app = builder.Build();

        await app.StartAsync(timeout.Token);
        Assert.True(redis.Resource.PasswordParameter!.TryGetValue(builder.Configuration, out var password));
        var port = new Uri(app.ResourceNotifications.GetSnapshot("cache-0")!.Urls.Single()).Port;
        Assert.Equal("PONG", await RedisCliAsync(port, password, timeout.Token, "PING"));
        await app.StopAsync();

        var printed = output.ToString() + string.Join('\n', app.ResourceNotifications.GetCurrentSnapshots().Select(s => s.ToString()));
        Assert.Contains("[client-0] connecting", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(password, printed, StringComparison.Ordinal);
        var redisPid = app.Orchestrator.Runners.Single(r => r.ReplicaId == "cache-0").AllProcessIds.First();
        Assert.False(ProcFs.IsRunning(redisPid));
    }

    [Fact]
    public async Task ProcessThatCannotStartFailsWithTheReason()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("ghost", "/nonexistent/program", ".");
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(timeout.Token));

        Assert.Contains("Resource 'ghost' failed to start: ghost-0: cannot start '/nonexistent/program'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessThatKeepsExitingReportsExitCodeAndLastOutput()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.Options.StartupTimeout = TimeSpan.FromSeconds(3);
        builder.AddExecutable("broken", "sh", ".", "-c", "echo model file missing >&2; exit 7").WithHttpEndpoint().WithHttpHealthCheck();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(timeout.Token));

        Assert.Contains("Resource 'broken' did not become healthy within 3s", error.Message, StringComparison.Ordinal);
        Assert.Contains("last exit code 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("model file missing", error.Message, StringComparison.Ordinal);
        Assert.True(app.ResourceLogs.GetLogs("broken-0").All(l => l.IsError));
    }

    private static async Task<string> RedisCliAsync(int port, string? password, CancellationToken cancellationToken, params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", port.ToString() })
        {
            info.ArgumentList.Add(argument);
        }

        if (password is not null)
        {
            info.ArgumentList.Add("-a");
            info.ArgumentList.Add(password);
            info.ArgumentList.Add("--no-auth-warning");
        }

        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return ((await stdout) + (await stderr)).Trim();
    }
}
