namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>GET key</c>: the value, or null when the key does not exist.</summary>
    public async Task<RedisValue> StringGetAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("GET", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsRedisValue();

    /// <summary>
    /// <c>SET key value [PX ms] [NX|XX]</c>. Returns false when the condition prevented the write.
    /// </summary>
    public async Task<bool> StringSetAsync(
        string key, RedisValue value, TimeSpan? expiry = null, SetCondition when = SetCondition.Always, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteCoreAsync("SET", SetArgs(key, value, expiry, when), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return !result.IsNull;
    }

    internal static RedisValue[] SetArgs(string key, RedisValue value, TimeSpan? expiry, SetCondition when) => (expiry, when) switch
    {
        (null, SetCondition.Always) => [key, value],
        (null, _) => [key, value, when == SetCondition.NotExists ? "NX" : "XX"],
        (TimeSpan ttl, SetCondition.Always) => [key, value, "PX", ToMilliseconds(ttl)],
        (TimeSpan ttl, _) => [key, value, "PX", ToMilliseconds(ttl), when == SetCondition.NotExists ? "NX" : "XX"],
    };

    /// <summary><c>INCRBY key by</c>: the value after the increment.</summary>
    public async Task<long> StringIncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("INCRBY", [key, by], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>DECRBY key by</c>: the value after the decrement.</summary>
    public async Task<long> StringDecrementAsync(string key, long by = 1, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("DECRBY", [key, by], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>MGET key...</c>: one value per key, null where a key does not exist.</summary>
    public async Task<RedisValue[]> StringGetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteCoreAsync("MGET", Keys(keys), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return Values(result);
    }

    /// <summary><c>MSET key value...</c>.</summary>
    public async Task StringSetManyAsync(IReadOnlyList<KeyValuePair<string, RedisValue>> pairs, CancellationToken cancellationToken = default)
    {
        var args = new RedisValue[pairs.Count * 2];
        for (var i = 0; i < pairs.Count; i++)
        {
            args[2 * i] = pairs[i].Key;
            args[(2 * i) + 1] = pairs[i].Value;
        }

        await ExecuteCoreAsync("MSET", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GETDEL key</c>: the value before deletion, or null.</summary>
    public async Task<RedisValue> StringGetDeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("GETDEL", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsRedisValue();

    internal static long ToMilliseconds(TimeSpan value)
    {
        var ms = (long)Math.Ceiling(value.TotalMilliseconds);
        return ms > 0 ? ms : throw new ArgumentOutOfRangeException(nameof(value), value, "An expiry must be positive.");
    }

    internal static RedisValue[] Keys(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one key is required.", nameof(keys));
        }

        var args = new RedisValue[keys.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = keys[i];
        }

        return args;
    }

    internal static RedisValue[] Prepend(RedisValue first, IReadOnlyList<RedisValue> rest)
    {
        if (rest.Count == 0)
        {
            throw new ArgumentException("At least one value is required.", nameof(rest));
        }

        var args = new RedisValue[rest.Count + 1];
        args[0] = first;
        for (var i = 0; i < rest.Count; i++)
        {
            args[i + 1] = rest[i];
        }

        return args;
    }

    internal static RedisValue[] Values(RedisResult result)
    {
        if (result.IsNull)
        {
            return [];
        }

        var items = result.ItemsArray;
        var values = new RedisValue[items.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = items[i].AsRedisValue();
        }

        return values;
    }
}
