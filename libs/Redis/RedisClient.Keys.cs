namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>DEL key...</c>: how many keys were removed.</summary>
    public async Task<long> KeyDeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("DEL", Keys(keys), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>DEL key</c>: true when the key existed.</summary>
    public async Task<bool> KeyDeleteAsync(string key, CancellationToken cancellationToken = default) =>
        await KeyDeleteAsync([key], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary><c>EXISTS key...</c>: how many of the keys exist.</summary>
    public async Task<long> KeyExistsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("EXISTS", Keys(keys), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>EXISTS key</c>.</summary>
    public async Task<bool> KeyExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await KeyExistsAsync([key], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>
    /// Sets a time to live: <c>EXPIRE key seconds</c> for whole seconds, <c>PEXPIRE key ms</c> otherwise.
    /// False when the key does not exist.
    /// </summary>
    public async Task<bool> KeyExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        var ms = ToMilliseconds(expiry);
        var result = ms % 1000 == 0
            ? await ExecuteCoreAsync("EXPIRE", [key, ms / 1000], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)
            : await ExecuteCoreAsync("PEXPIRE", [key, ms], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return result.AsInt64() == 1;
    }

    /// <summary><c>PEXPIRE key ms</c>: false when the key does not exist.</summary>
    public async Task<bool> KeyPExpireAsync(string key, long milliseconds, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("PEXPIRE", [key, milliseconds], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary><c>TTL key</c>: the remaining time to live, or null when the key is missing or has none.</summary>
    public async Task<TimeSpan?> KeyTimeToLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        var seconds = (await ExecuteCoreAsync("TTL", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
        return seconds < 0 ? null : TimeSpan.FromSeconds(seconds);
    }

    /// <summary><c>PTTL key</c>: the remaining time to live in milliseconds precision, or null.</summary>
    public async Task<TimeSpan?> KeyPTimeToLiveAsync(string key, CancellationToken cancellationToken = default)
    {
        var ms = (await ExecuteCoreAsync("PTTL", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }
}
