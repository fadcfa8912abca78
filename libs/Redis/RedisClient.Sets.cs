namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>SADD key member...</c>: how many members were added.</summary>
    public async Task<long> SetAddAsync(string key, IReadOnlyList<RedisValue> members, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("SADD", Prepend(key, members), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>SREM key member...</c>: how many members were removed.</summary>
    public async Task<long> SetRemoveAsync(string key, IReadOnlyList<RedisValue> members, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("SREM", Prepend(key, members), TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>SMEMBERS key</c> (RESP3 set or RESP2 array).</summary>
    public async Task<RedisValue[]> SetMembersAsync(string key, CancellationToken cancellationToken = default) =>
        Values(await ExecuteCoreAsync("SMEMBERS", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false));

    /// <summary><c>SISMEMBER key member</c>.</summary>
    public async Task<bool> SetContainsAsync(string key, RedisValue member, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("SISMEMBER", [key, member], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64() == 1;
}
