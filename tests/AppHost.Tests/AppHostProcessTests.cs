using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MlAspire.AppHost.Tests;

/// <summary>The AppHost as a user runs it, a process of its own without a development certificate: it reports the
/// gateway's URL and then that every resource is healthy, and SIGTERM stops everything it started — DCP, the dashboard,
/// redis-server and every service replica.</summary>
public sealed class AppHostProcessTests
{
    [SkippableFact]
    public async Task SigtermStopsTheAppHostAndLeavesNoProcessBehind()
    {
        Skip.If(ExternalTool.Find("redis-server") is null, "The AppHost runs Redis as a local redis-server in run mode; install Debian's redis-server (eng/setup.sh) to run this test.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var state = Directory.CreateTempSubdirectory("mlaspire-apphost-process-").FullName;
        var lines = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The AppHost's own build output (its deps.json), built in the same configuration as this test assembly.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        info.ArgumentList.Add(Path.Combine(AppHostRunner.RepoRoot, "AppHost", "bin", configuration, "net10.0", "MlAspire.AppHost.dll"));
        info.ArgumentList.Add("--AppHost:StateDirectory=" + state);
        // What the http launch profile sets, on free ports (no certificate needed).
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";

        using var appHost = Process.Start(info)!;
        appHost.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        appHost.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
        HashSet<int> tree = [];
        try
        {
            await WaitForLineAsync(lines, "All resources are healthy", appHost, timeout.Token);
            Assert.Contains(lines, l => l.Contains("gateway is healthy: http://localhost:", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Login to the dashboard at http://127.0.0.1:", StringComparison.Ordinal));

            // DCP detaches from the AppHost (it watches it with --monitor <pid>): its tree counts as the AppHost's.
            var processes = ProcTree.Snapshot();
            var monitor = "--monitor " + appHost.Id.ToString(CultureInfo.InvariantCulture);
            var roots = processes.Where(p => p.Value.CommandLine.Contains(monitor, StringComparison.Ordinal)).Select(p => p.Key).Append(appHost.Id);
            tree = ProcTree.Descendants(processes, roots);
            var commandLines = tree.Select(pid => processes[pid].CommandLine).ToList();
            foreach (var expected in new[] { "redis-server", "Aspire.Dashboard", "MlAspire.Inference.Service", "MlAspire.Gateway.Api" })
            {
                Assert.Contains(commandLines, c => c.Contains(expected, StringComparison.Ordinal));
            }

            var workers = commandLines.Count(c => c.Split(' ')[0].EndsWith("/MlAspire.Preprocessing.Worker", StringComparison.Ordinal));
            Assert.True(workers == 2, $"expected 2 worker processes, found {workers} in:\n{string.Join('\n', commandLines)}");

            using (var term = Process.Start("kill", ["-TERM", appHost.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(timeout.Token);
            }

            await appHost.WaitForExitAsync(timeout.Token);
            var survivors = tree.Where(ProcTree.IsRunning).ToList();
            for (var i = 0; i < 100 && survivors.Count > 0; i++)
            {
                await Task.Delay(200, timeout.Token);
                survivors = survivors.Where(ProcTree.IsRunning).ToList();
            }

            Assert.True(survivors.Count == 0, "processes left behind: " + string.Join("; ", survivors.Select(pid => $"{pid} {processes[pid].CommandLine}")));
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
            }

            foreach (var pid in tree.Where(ProcTree.IsRunning))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }

            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task WaitForLineAsync(ConcurrentQueue<string> lines, string text, Process appHost, CancellationToken cancellationToken)
    {
        while (!lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.False(appHost.HasExited, $"The AppHost exited early ({(appHost.HasExited ? appHost.ExitCode : 0)}). Last output:\n{string.Join('\n', lines.TakeLast(40))}");
            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No line '{text}' in time. Last output:\n{string.Join('\n', lines.TakeLast(40))}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
