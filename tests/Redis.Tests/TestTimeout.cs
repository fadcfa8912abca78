namespace MlAspire.Redis.Tests;

internal static class TestTimeout
{
    /// <summary>A bound for every wait in a test, so a hang fails instead of stalling the run.</summary>
    public static CancellationToken Token(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
