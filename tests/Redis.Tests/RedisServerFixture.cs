namespace MlAspire.Redis.Tests;

/// <summary>One redis-server shared by the tests of a collection (tests use unique keys).</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public Task<RedisClient> ConnectAsync(RedisProtocol protocol = RedisProtocol.Resp3, string extra = "") =>
        RedisClient.ConnectAsync($"{Server.Endpoint},protocol={(protocol == RedisProtocol.Resp2 ? "resp2" : "resp3")}{extra}");
}
