using System.Diagnostics;

namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>PING</c>: the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await ExecuteCoreAsync("PING", [], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary><c>INFO [section]</c>: the raw text report.</summary>
    public async Task<string> InfoAsync(string? section = null, CancellationToken cancellationToken = default)
    {
        RedisValue[] args = section is null ? [] : [section];
        return (await ExecuteCoreAsync("INFO", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsString() ?? string.Empty;
    }

    /// <summary><c>PUBLISH channel message</c>: how many subscribers received it.</summary>
    public async Task<long> PublishAsync(string channel, RedisValue message, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("PUBLISH", [channel, message], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
}
