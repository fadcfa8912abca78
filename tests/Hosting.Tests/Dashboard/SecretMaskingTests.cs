namespace MlAspire.Hosting.Tests.Dashboard;

public sealed class SecretMaskingTests
{
    [Fact]
    public async Task TheEnvironmentViewMasksSecretsButShowsOrdinaryValues()
    {
        using var timeout = TestApp.Timeout();
        await using var dashboard = await DashboardTestApp.StartAsync(
            b =>
            {
                var secret = b.AddParameter("license", secret: true);
                b.AddExecutable("worker", "sleep", ".", "300")
                    .WithEnvironment("LICENSE_VALUE", secret)
                    .WithEnvironment("DB_PASSWORD", "pw-by-name-41")
                    .WithEnvironment("STRIPE_API_KEY", "key-by-name-42")
                    .WithEnvironment("AUTH_TOKEN", "token-by-name-43")
                    .WithEnvironment("ConnectionStrings__db", "host=db;Password=conn-secret-44;port=5")
                    .WithEnvironment("PLAIN_SETTING", "visible-value-45");
            },
            timeout.Token,
            "--Parameters:license=param-secret-40");
        await dashboard.LoginAsync(timeout.Token);

        var html = await dashboard.Client.GetStringAsync(new Uri("/resources/worker-0", UriKind.Relative), timeout.Token);

        foreach (var secret in new[] { "param-secret-40", "pw-by-name-41", "key-by-name-42", "token-by-name-43", "conn-secret-44" })
        {
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(dashboard.App.Dashboard!.OtlpApiKey, html, StringComparison.Ordinal);
        Assert.Contains("visible-value-45", html, StringComparison.Ordinal);
        Assert.Contains("host=db;Password=••••••;port=5", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("LICENSE_VALUE", html, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", html, StringComparison.Ordinal);
    }
}
