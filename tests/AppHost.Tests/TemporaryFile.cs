namespace MlAspire.AppHost.Tests;

internal sealed class TemporaryFile(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose() => File.Delete(Path);
}
