namespace MlAspire.Redis;

/// <summary>Exponential reconnect backoff with full jitter: a random delay in [d/2, d], d = 50 ms * 2^attempt, capped.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan max)
    {
        var ceiling = Math.Min(max.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(attempt, 16)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }
}
