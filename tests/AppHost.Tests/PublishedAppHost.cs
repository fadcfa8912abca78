namespace MlAspire.AppHost.Tests;

/// <summary>The real AppHost published once for a test class (<c>--operation publish --step publish</c>, as
/// <c>dotnet run --project AppHost -- ...</c> and <c>aspire publish</c> run it), with a known secret passed in, so
/// tests can check that it is written nowhere.</summary>
public sealed class PublishedAppHost : IAsyncLifetime
{
    public string Secret { get; } = "redis-secret-" + Guid.NewGuid().ToString("N");

    public string Output { get; } = Path.Combine(Path.GetTempPath(), "mlaspire-publish-tests-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (exitCode, stdout, stderr) = await AppHostRunner.RunAppHostAsync(AppHostRunner.RepoRoot, timeout.Token,
            "--operation", "publish", "--step", "publish", "--output-path", Output, "--Parameters:redis-password=" + Secret);
        Assert.True(exitCode == 0, $"publishing failed ({exitCode}):\n{stdout}\n{stderr}");
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Output))
        {
            Directory.Delete(Output, recursive: true);
        }

        return Task.CompletedTask;
    }
}
