namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>HSET key field value</c>: true when the field is new.</summary>
    public async Task<bool> HashSetAsync(string key, RedisValue field, RedisValue value, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("HSET", [key, field, value], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary><c>HSET key field value [field value...]</c>: how many fields were added (not updated).</summary>
    public async Task<long> HashSetAsync(string key, IReadOnlyList<RedisEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            throw new ArgumentException("At least one field is required.", nameof(entries));
        }

        var args = new RedisValue[1 + (entries.Count * 2)];
        args[0] = key;
        for (var i = 0; i < entries.Count; i++)
        {
            args[1 + (2 * i)] = entries[i].Name;
            args[2 + (2 * i)] = entries[i].Value;
        }

        return (await ExecuteCoreAsync("HSET", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary><c>HGET key field</c>: the value, or null.</summary>
    public async Task<RedisValue> HashGetAsync(string key, RedisValue field, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("HGET", [key, field], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsRedisValue();

    /// <summary><c>HGETALL key</c>: every field and value (empty when the key does not exist).</summary>
    public async Task<RedisEntry[]> HashGetAllAsync(string key, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteCoreAsync("HGETALL", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return Entries(result);
    }

    /// <summary><c>HDEL key field...</c>: how many fields were removed.</summary>
    public async Task<long> HashDeleteAsync(string key, IReadOnlyList<RedisValue> fields, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("HDEL", Prepend(key, fields), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>HINCRBY key field by</c>: the value after the increment.</summary>
    public async Task<long> HashIncrementAsync(string key, RedisValue field, long by = 1, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("HINCRBY", [key, field, by], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>Field/value pairs of a RESP3 map or a RESP2 flat array; empty for null.</summary>
    internal static RedisEntry[] Entries(RedisResult result)
    {
        if (result.IsNull)
        {
            return [];
        }

        var items = result.ItemsArray;
        if (items.Length % 2 != 0)
        {
            throw new RedisProtocolException($"Expected field/value pairs but got {items.Length} items.");
        }

        var entries = new RedisEntry[items.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new RedisEntry(items[2 * i].AsRedisValue(), items[(2 * i) + 1].AsRedisValue());
        }

        return entries;
    }
}
