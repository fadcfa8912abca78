namespace MlAspire.Publishing.Tests;

/// <summary>The product topology published once for a test class, with a known secret passed in, so tests can
/// check that it is written nowhere.</summary>
public sealed class PublishedProduct : IAsyncLifetime
{
    public string Secret { get; } = "redis-secret-" + Guid.NewGuid().ToString("N");

    public string Output { get; } = Path.Combine(Path.GetTempPath(), "mlaspire-publish-tests-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await PublishingApp.PublishAsync(ProductTopology.Create(Output, "--Parameters:redis-password=" + Secret), timeout.Token);
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
