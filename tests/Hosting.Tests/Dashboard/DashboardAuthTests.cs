using System.Net;

namespace MlAspire.Hosting.Tests.Dashboard;

public sealed class DashboardAuthTests
{
    [Fact]
    public async Task PagesWithoutTheCookieRedirectToTheSignInPageAndApisAnswer401()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(b => b.AddExecutable("sleeper", "sleep", ".", "300"), timeout.Token);

        foreach (var page in new[] { "/resources", "/console", "/structured", "/traces", "/metrics", "/resources/sleeper-0" })
        {
            using var response = await dashboard.Anonymous.GetAsync(new Uri(page, UriKind.Relative), timeout.Token);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/unauthorized", response.Headers.Location?.OriginalString);
        }

        using var api = await dashboard.Anonymous.GetAsync(new Uri("/api/resources", UriKind.Relative), timeout.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using var action = await dashboard.Anonymous.PostAsync(new Uri("/api/replicas/sleeper-0/stop", UriKind.Relative), null, timeout.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, action.StatusCode);
        using var signIn = await dashboard.Anonymous.GetAsync(new Uri("/unauthorized", UriKind.Relative), timeout.Token);
        Assert.Contains("login link", await signIn.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        Assert.Equal(ResourceState.Running, dashboard.App.ResourceNotifications.GetSnapshot("sleeper-0")!.State);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/login?t=")]
    [InlineData("/login?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("/login?t=not*base64")]
    public async Task AWrongTokenIsRefusedWithoutACookie(string path)
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(_ => { }, timeout.Token);

        using var response = await dashboard.Client.GetAsync(new Uri(path, UriKind.Relative), timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        using var after = await dashboard.Client.GetAsync(new Uri("/api/resources", UriKind.Relative), timeout.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task ThePrintedLinkSetsAStrictHttpOnlyCookieAndEveryPageLoads()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(b => b.AddExecutable("sleeper", "sleep", ".", "300"), timeout.Token);
        var login = dashboard.App.Dashboard!.LoginUrl;
        Assert.Equal("127.0.0.1", login.Host);
        Assert.Contains($"Dashboard: {login}", dashboard.Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(login.Query["?t=".Length..].Replace('-', '+').Replace('_', '/') + "=").Length);

        using var response = await dashboard.Client.GetAsync(login, timeout.Token);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(login.Query["?t=".Length..], cookie, StringComparison.Ordinal);
        foreach (var page in new[] { "/resources", "/console", "/structured", "/traces", "/metrics", "/resources/sleeper-0" })
        {
            using var ok = await dashboard.Client.GetAsync(new Uri(page, UriKind.Relative), timeout.Token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("text/html", ok.Content.Headers.ContentType?.MediaType);
        }

        var resources = await dashboard.GetResourcesAsync(timeout.Token);
        Assert.Equal("sleeper-0", resources[0].GetProperty("replica").GetString());
        Assert.Equal("Running", resources[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task ActionsFromAnotherOriginAreRefusedEvenWithTheCookie()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(b => b.AddExecutable("sleeper", "sleep", ".", "300"), timeout.Token);
        await dashboard.LoginAsync(timeout.Token);

        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/api/replicas/sleeper-0/stop");
        foreign.Headers.Add("Origin", "http://evil.example");
        using var refused = await dashboard.Client.SendAsync(foreign, timeout.Token);
        using var noOrigin = await dashboard.Client.PostAsync(new Uri("/api/replicas/sleeper-0/stop", UriKind.Relative), null, timeout.Token);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noOrigin.StatusCode);
        Assert.Equal(ResourceState.Running, dashboard.App.ResourceNotifications.GetSnapshot("sleeper-0")!.State);
    }
}
