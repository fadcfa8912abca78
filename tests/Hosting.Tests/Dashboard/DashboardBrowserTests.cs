using System.Diagnostics;
using MlAspire.Tests.Shared;
using Xunit.Abstractions;

namespace MlAspire.Hosting.Tests.Dashboard;

/// <summary>The dashboard in a real headless browser (Debian <c>chromium</c> driven by <c>playwright-core</c>,
/// tests/Dashboard.Browser/run.mjs). Screenshots go to <c>artifacts/screenshots/</c>.
/// When chromium, node or the npm packages are missing the test fails if <c>CI=true</c>; elsewhere it returns
/// early and says why in its output (xunit 2 has no dynamic skip).</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task PagesLoadResourcesShowTheirStateLogsStreamAndATraceOpensInChromium()
    {
        var root = RepoRoot.Find();
        var scriptFolder = Path.Combine(root, "tests", "Dashboard.Browser");
        if (MissingPrerequisite(scriptFolder) is { } missing)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"Browser test prerequisites missing on CI: {missing}. Run eng/setup.sh.");
            }

            throw new SkipException($"not CI: {missing}. Run eng/setup.sh to enable the browser test.");
        }

        using var timeout = TestApp.Timeout(240);
        await using var dashboard = await DashboardTestApp.StartAsync(
            b =>
            {
                b.AddExecutable("ticker", "sh", ".", "-c", "i=0; while true; do echo \"tick $i from ticker\"; i=$((i+1)); sleep 0.5; done");
                b.AddExecutable("worker", "sleep", ".", "300").WithReplicas(2);
                b.AddExecutable("inference-demo", "/usr/bin/python3", scriptFolder, "otlp_emitter.py");
            },
            timeout.Token);

        var screenshots = Path.Combine(root, "artifacts", "screenshots");
        var (exitCode, text) = await RunAsync(
            "node",
            [Path.Combine(scriptFolder, "run.mjs"), dashboard.App.Dashboard!.LoginUrl.ToString(), "--out", screenshots,
             "--replica", "ticker-0", "--replica", "worker-0", "--replica", "worker-1", "--replica", "inference-demo-0",
             "--action-replica", "worker-1", "--log-replica", "ticker-0", "--log-text", "from ticker", "--trace-service", "inference-demo"],
            root,
            timeout.Token);
        output.WriteLine(text);

        Assert.True(exitCode == 0, $"run.mjs exited with {exitCode}:\n{text}");
        foreach (var name in new[] { "resources.png", "console.png", "traces.png", "trace.png", "structured.png", "metrics.png" })
        {
            Assert.True(new FileInfo(Path.Combine(screenshots, name)).Length > 1000, $"{name} was not written");
        }
    }

    private static string? MissingPrerequisite(string scriptFolder)
    {
        if (!File.Exists(Chromium))
        {
            return $"{Chromium} not found (Debian package 'chromium')";
        }

        if (FindOnPath("node") is null)
        {
            return "node not found on PATH";
        }

        return Directory.Exists(Path.Combine(scriptFolder, "node_modules", "playwright-core"))
            ? null
            : $"playwright-core not installed (run 'npm ci' in {scriptFolder})";
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] args, string workingDirectory, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
