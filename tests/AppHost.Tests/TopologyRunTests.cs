using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MlAspire.AppHost.Tests;

/// <summary>
/// The real topology through the real AppHost process: every resource becomes healthy, digits sent to the gateway are
/// classified, a worker killed with SIGKILL is restarted, and stopping the AppHost leaves no process of its tree behind.
/// </summary>
public sealed partial class TopologyRunTests
{
    [GeneratedRegex(@"^gateway-0\s.*?(?<url>http://[0-9.]+:\d+)")]
    private static partial Regex GatewayUrl();

    [GeneratedRegex(@"Dashboard: (?<url>http://\S+/login\?t=\S+)")]
    private static partial Regex DashboardLogin();

    [GeneratedRegex(@"<tr[^>]*>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex TableRowHtml();

    [GeneratedRegex(@"^(?<replica>[a-z][a-z0-9-]*-\d+)\s+\S+\s+(?<state>\w+)\s+(?<health>\w+)\s+(?<restarts>\d+)\s+(?<pid>\d+|-)\s")]
    private static partial Regex TableRow();

    [Fact]
    public async Task TheWholeTopologyServesPredictionsRestartsAKilledWorkerAndStopsCleanly()
    {
        // Generous: the AppHost builds three projects first, on CI's two cores shared with the other test assemblies.
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(7));
        var state = Directory.CreateTempSubdirectory("mlaspire-apphost-state-").FullName;
        var lines = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add("--AppHost:StateDirectory=" + state);
        info.ArgumentList.Add("--AppHost:StartupTimeout=00:06:00");
        using var appHost = Process.Start(info)!;
        appHost.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        appHost.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
        var tree = new HashSet<int>();
        try
        {
            await WaitForLineAsync(lines, l => l.Contains("gateway is healthy", StringComparison.Ordinal), appHost, cts.Token);
            var replicas = await WaitForTableAsync(lines, ["redis-0", "inference-0", "preprocessing-0", "preprocessing-1", "gateway-0"], appHost, cts.Token);
            Assert.All(replicas.Values, r => Assert.Equal(("Running", "Healthy"), (r.State, r.Health)));

            // Images in, predictions out, through the gateway the AppHost started.
            var gateway = new Uri(lines.Select(l => GatewayUrl().Match(l)).First(m => m.Success).Groups["url"].Value);
            using var http = new HttpClient { BaseAddress = gateway };
            var digits = Directory.GetFiles(Path.Combine(AppHostRunner.RepoRoot, "models", "digits", "testdata"), "*.png")
                .Order(StringComparer.Ordinal).Take(20).ToList();
            var correct = 0;
            foreach (var png in digits)
            {
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(png, cts.Token));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
                using var response = await http.PostAsync(new Uri("/v1/models/digits:classify", UriKind.Relative), content, cts.Token);
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
                var label = Path.GetFileNameWithoutExtension(png).Split('_')[1];
                correct += body.RootElement.GetProperty("predictions")[0].GetProperty("label").GetString() == label ? 1 : 0;
            }

            Assert.True(correct >= 19, $"{correct}/20 digits classified correctly through the gateway");

            // One of those requests is one trace across the services, as the dashboard (the AppHost's OTLP receiver) shows it.
            var login = new Uri(lines.Select(l => DashboardLogin().Match(l)).First(m => m.Success).Groups["url"].Value);
            using var dashboard = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = login };
            (await dashboard.GetAsync(login, cts.Token)).EnsureSuccessStatusCode();
            string[] services = ["gateway", "preprocessing", "inference"];
            var spanning = false;
            while (!spanning)
            {
                var traces = await dashboard.GetStringAsync(new Uri("/traces", UriKind.Relative), cts.Token);
                spanning = TableRowHtml().Matches(traces).Any(row => services.All(s => row.Value.Contains(s, StringComparison.Ordinal)));
                if (!spanning)
                {
                    await Task.Delay(500, cts.Token);
                }
            }

            // SIGKILL one worker: the orchestrator must notice and start it again.
            var victim = replicas["preprocessing-0"].Pid;
            Process.GetProcessById(victim).Kill();
            await WaitForLineAsync(lines, l => l.Contains("preprocessing-0 exited with code", StringComparison.Ordinal) && l.Contains("restarting", StringComparison.Ordinal), appHost, cts.Token);
            // The replacement process announces itself: a second "Application started" from that replica.
            await WaitForLineAsync(lines, l => l.StartsWith("[preprocessing-0]", StringComparison.Ordinal) && l.Contains("Application started", StringComparison.Ordinal), appHost, cts.Token, skip: 1);

            tree = Descendants(appHost.Id);
            Assert.True(tree.Count >= 5, $"expected the AppHost to own at least 5 processes, found {tree.Count}");
            Assert.DoesNotContain(victim, tree);

            using (var term = Process.Start("kill", ["-TERM", appHost.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(cts.Token);
            }

            await appHost.WaitForExitAsync(cts.Token);
            Assert.Contains(lines, l => l.Contains("All resources stopped", StringComparison.Ordinal));
            var survivors = tree.Where(pid => Directory.Exists($"/proc/{pid}")).ToList();
            Assert.True(survivors.Count == 0, $"processes left behind: {string.Join(", ", survivors)}");
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
            }

            foreach (var pid in tree.Where(pid => Directory.Exists($"/proc/{pid}")))
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

    private static async Task WaitForLineAsync(ConcurrentQueue<string> lines, Func<string, bool> match, Process appHost, CancellationToken cancellationToken, int skip = 0)
    {
        while (lines.Count(match) <= skip)
        {
            if (appHost.HasExited)
            {
                Assert.Fail($"The AppHost exited with code {appHost.ExitCode}. Last output:\n{string.Join('\n', lines.TakeLast(40))}");
            }

            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out. Last output:\n{string.Join('\n', lines.TakeLast(40))}");
            }
        }
    }

    private static async Task<Dictionary<string, (string State, string Health, int Pid)>> WaitForTableAsync(
        ConcurrentQueue<string> lines, string[] replicas, Process appHost, CancellationToken cancellationToken)
    {
        await WaitForLineAsync(lines, l => l.StartsWith(replicas[^1], StringComparison.Ordinal) && TableRow().IsMatch(l), appHost, cancellationToken);
        var rows = new Dictionary<string, (string, string, int)>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var match = TableRow().Match(line);
            if (match.Success && match.Groups["pid"].Value != "-")
            {
                rows[match.Groups["replica"].Value] = (match.Groups["state"].Value, match.Groups["health"].Value, int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture));
            }
        }

        Assert.All(replicas, r => Assert.True(rows.ContainsKey(r), $"no table row for {r}; output:\n{string.Join('\n', lines)}"));
        return rows;
    }

    /// <summary>Every live descendant of <paramref name="root"/>, from /proc's parent links.</summary>
    private static HashSet<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
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
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // exited while we looked
            }
        }

        var result = new HashSet<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent && result.Add(pid))
                {
                    frontier.Enqueue(pid);
                }
            }
        }

        return result;
    }
}
