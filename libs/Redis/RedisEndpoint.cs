namespace MlAspire.Redis;

/// <summary>A server address: host name or IP literal and TCP port.</summary>
public sealed record RedisEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
