using MlAspire.Queue;
using MlAspire.Redis;
using MlAspire.Tests.Infrastructure;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>Redis, the test inference server and a gateway shared by the tests of one class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public TestRedis Redis { get; private set; } = null!;

    public FakeInferenceServer Inference { get; private set; } = null!;

    public GatewayFactory Factory { get; private set; } = null!;

    public RedisClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await TestRedis.StartAsync();
        Inference = await FakeInferenceServer.StartAsync();
        Factory = new GatewayFactory(Redis.ConnectionString, Inference.Address);
        Client = await RedisClient.ConnectAsync(Redis.ConnectionString);
    }

    public Task<long> QueueLengthAsync() => Client.StreamLengthAsync(QueueKeys.Jobs);

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Factory.DisposeAsync();
        await Inference.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
