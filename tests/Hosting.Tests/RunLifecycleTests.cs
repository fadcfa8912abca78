using System.Diagnostics;

namespace MlAspire.Hosting.Tests;

public sealed class RunLifecycleTests
{
    [Fact]
    public async Task RunAsyncStopsEverythingWhenItsTokenIsCancelled()
    {
        using var timeout = TestApp.Timeout();
        var output = new StringWriter();
        var builder = TestApp.CreateBuilder(TextWriter.Synchronized(output));
        var server = builder.AddHealthServer("server");
        builder.AddExecutable("sleeper", "sleep", ".", "300").WaitFor(server);
        await using var app = builder.Build();
        using var stop = new CancellationTokenSource();

        var run = app.RunAsync(stop.Token);
        var sleeper = await app.ResourceNotifications.WaitForAsync("sleeper-0", s => s.ProcessId is not null, timeout.Token);
        var serverPid = app.ResourceNotifications.GetSnapshot("server-0")!.ProcessId!.Value;
        Assert.True(ProcFs.IsRunning(sleeper.ProcessId!.Value));
        await stop.CancelAsync();
        await run.WaitAsync(timeout.Token);

        Assert.False(ProcFs.IsRunning(sleeper.ProcessId!.Value));
        Assert.False(ProcFs.IsRunning(serverPid));
        Assert.Contains("REPLICA", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("sleeper-0", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAllEndsStubbornTreesWithoutAGracePeriod()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.Options.StopTimeout = TimeSpan.FromMinutes(5);
        builder.AddExecutable("stubborn", "sh", ".", "-c", "trap '' TERM; sleep 1000 & sleep 1000 & wait");
        await using var app = builder.Build();
        await app.StartAsync(timeout.Token);
        var root = app.ResourceNotifications.GetSnapshot("stubborn-0")!.ProcessId!.Value;
        List<int> tree;
        do
        {
            await Task.Delay(100, timeout.Token);
            tree = [root, .. ProcFs.Descendants(root)];
        }
        while (tree.Count < 3);

        await Task.Delay(500, timeout.Token); // the runner records descendants on its monitor tick
        var stopwatch = Stopwatch.StartNew();
        app.Orchestrator.KillAll();
        while (tree.Exists(ProcFs.IsRunning) && stopwatch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.All(tree, pid => Assert.False(ProcFs.IsRunning(pid), $"process {pid} survived KillAll"));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMinutes(1), "KillAll must not wait for the stop grace period");
    }

    [Fact]
    public async Task StartingTwiceIsRejected()
    {
        using var timeout = TestApp.Timeout();
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("sleeper", "sleep", ".", "300");
        await using var app = builder.Build();

        await app.StartAsync(timeout.Token);

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync(timeout.Token));
    }

    [Fact]
    public async Task RedisDataVolumeKeepsAppendOnlyDataAcrossRuns()
    {
        using var timeout = TestApp.Timeout(90);
        var first = TestApp.CreateBuilder("--Parameters:pw=keep-it");
        var state = first.Options.StateDirectory!;
        first.AddRedis("store").WithPassword(first.AddParameter("pw", secret: true)).WithDataVolume().WithAppendOnlyPersistence();
        await using (var app = first.Build())
        {
            await app.StartAsync(timeout.Token);
            var port = new Uri(app.ResourceNotifications.GetSnapshot("store-0")!.Urls.Single()).Port;
            Assert.Equal("OK", await RedisCli(port, timeout.Token, "SET", "answer", "42"));
        }

        var second = TestApp.CreateBuilder("--Parameters:pw=keep-it");
        second.Options.StateDirectory = state;
        second.AddRedis("store").WithPassword(second.AddParameter("pw", secret: true)).WithDataVolume().WithAppendOnlyPersistence();
        await using (var app = second.Build())
        {
            await app.StartAsync(timeout.Token);
            var port = new Uri(app.ResourceNotifications.GetSnapshot("store-0")!.Urls.Single()).Port;
            Assert.Equal("42", await RedisCli(port, timeout.Token, "GET", "answer"));
        }
    }

    private static async Task<string> RedisCli(int port, CancellationToken cancellationToken, params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true };
        foreach (var argument in (string[])["-h", "127.0.0.1", "-p", port.ToString(), "-a", "keep-it", "--no-auth-warning", .. command])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return output.Trim();
    }
}
