using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MlAspire.AppHost.Tests;

/// <summary>The real Aspire dashboard of the running system in a real browser (Playwright .NET driving Debian's
/// chromium): log in with the browser token of the login URL, see every resource and replica Running and healthy, and
/// a request's trace spanning the services. Set MLASPIRE_DASHBOARD_SCREENSHOT to a .png path to keep a screenshot of
/// that trace (docs/dashboard.png is made this way).</summary>
[Collection(RunningSystemCollection.Name)]
public sealed class DashboardBrowserTests(RunningSystem system)
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task TheDashboardShowsEveryResourceRunningAndHealthyAndATraceAcrossTheServices()
    {
        Skip.If(system.SkipReason is not null, system.SkipReason);
        Skip.IfNot(File.Exists(Chromium), $"The dashboard browser test drives Debian's chromium at {Chromium}; install it (eng/setup.sh) to run this test.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(60_000);

        // The login URL's token sets the session cookie and lands on the resources page.
        var login = await page.GotoAsync(new Uri(system.Dashboard, "/login?t=" + system.BrowserToken).ToString());
        Assert.Equal((int)HttpStatusCode.OK, login?.Status);
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));

        // One grid row per replica: redis, inference, gateway and both workers, each Running with no health problem.
        var rows = page.Locator("tr.resource-row");
        foreach (var (resource, replicas) in RunningSystem.Replicas)
        {
            var name = page.Locator("td.expand-col", new() { HasTextRegex = new Regex($@"^\s*{resource}(-[a-z0-9]+)?\s*$") });
            var running = rows.Filter(new() { Has = name }).Filter(new() { HasText = "Running" });
            await Assertions.Expect(running).ToHaveCountAsync(replicas, new() { Timeout = 60_000 });
            foreach (var row in await running.AllAsync())
            {
                var text = await row.InnerTextAsync();
                Assert.DoesNotContain("Unhealthy", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Waiting", text, StringComparison.Ordinal);
            }
        }

        Assert.Equal(RunningSystem.Replicas.Values.Sum(), await rows.CountAsync());

        // A request with a known trace id, then that trace's page: spans from all three services.
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using (var http = new HttpClient { BaseAddress = system.Gateway })
        using (var response = await RunModeTests.ClassifyAsync(http, Path.Combine(AppHostRunner.RepoRoot, "models", "digits", "testdata", "001_9.png"),
                   $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        string[] services = ["gateway", "preprocessing", "inference"];
        while (!services.All(s => system.Telemetry.Spans.Any(span => span.TraceId == traceId && span.Service == s)))
        {
            await Task.Delay(250, timeout.Token);
        }

        await page.GotoAsync(new Uri(system.Dashboard, "/traces/detail/" + traceId).ToString());
        foreach (var service in services)
        {
            await Assertions.Expect(page.GetByText(service).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        }

        var screenshot = Environment.GetEnvironmentVariable("MLASPIRE_DASHBOARD_SCREENSHOT");
        if (!string.IsNullOrEmpty(screenshot))
        {
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = false });
        }
    }
}
