using MlAspire.Queue;
using MlAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>Redis, the test inference server and a gateway shared by the tests of one class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public TestRedis Redis { get; private set; } = null!;

    public FakeInferenceServer Inference { get; private set; } = null!;

    public GatewayFactory Factory { get; private set; } = null!;

    /// <summary>The test's own multiplexer (subscriptions, server commands).</summary>
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public IDatabase Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await TestRedis.StartAsync();
        Inference = await FakeInferenceServer.StartAsync();
        Factory = new GatewayFactory(Redis.ConnectionString, Inference.Address);
        Connection = await Redis.ConnectAsync();
        Client = Connection.GetDatabase();
    }

    public Task<long> QueueLengthAsync() => Client.StreamLengthAsync(QueueKeys.Jobs);

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Factory.DisposeAsync();
        await Inference.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
