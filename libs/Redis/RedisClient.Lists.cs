namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>LPUSH key value...</c>: the list length after the push.</summary>
    public async Task<long> ListLeftPushAsync(string key, IReadOnlyList<RedisValue> values, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("LPUSH", Prepend(key, values), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>RPUSH key value...</c>: the list length after the push.</summary>
    public async Task<long> ListRightPushAsync(string key, IReadOnlyList<RedisValue> values, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("RPUSH", Prepend(key, values), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>LPOP key</c>: the first element, or null when the list is empty.</summary>
    public async Task<RedisValue> ListLeftPopAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("LPOP", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsRedisValue();

    /// <summary>
    /// <c>BLPOP key... timeout</c> on a dedicated connection: the key and element popped, or null when
    /// <paramref name="timeout"/> passed (<see cref="TimeSpan.Zero"/> blocks until an element arrives or the token fires).
    /// </summary>
    public async Task<KeyValuePair<string, RedisValue>?> ListBlockingLeftPopAsync(
        IReadOnlyList<string> keys, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var args = new RedisValue[keys.Count + 1];
        Keys(keys).CopyTo(args, 0);
        args[^1] = timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        var block = timeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout;
        var result = await ExecuteOnDedicatedAsync("BLPOP", args, block == Timeout.InfiniteTimeSpan ? TimeSpan.FromDays(1) : block, cancellationToken)
            .ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        return new(result.ItemsArray[0].AsString()!, result.ItemsArray[1].AsRedisValue());
    }

    /// <summary><c>LRANGE key start stop</c> (inclusive, negative indexes count from the end).</summary>
    public async Task<RedisValue[]> ListRangeAsync(string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default) =>
        Values(await ExecuteCoreAsync("LRANGE", [key, start, stop], TimeSpan.Zero, cancellationToken).ConfigureAwait(false));

    /// <summary><c>LLEN key</c>.</summary>
    public async Task<long> ListLengthAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("LLEN", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
}
