namespace MlAspire.Redis;

/// <summary>A field/value pair of a hash or a stream entry.</summary>
public readonly record struct RedisEntry(RedisValue Name, RedisValue Value);
