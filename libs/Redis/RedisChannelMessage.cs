namespace MlAspire.Redis;

/// <summary>A pub/sub message. <see cref="Pattern"/> is set when it matched a pattern subscription.</summary>
public sealed record RedisChannelMessage(string Channel, RedisValue Message, string? Pattern = null);
