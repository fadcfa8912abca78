using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MlAspire.Queue;
using MlAspire.Tests.Infrastructure;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;
using IDatabase = StackExchange.Redis.IDatabase;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>
/// The gateway on real Kestrel (127.0.0.1, a free port) against a real Redis and the test inference server: for the
/// limits TestServer does not have (header sizes, request body data rates, HTTP/1.1 framing).
/// </summary>
public sealed class KestrelGateway : IAsyncDisposable
{
    private KestrelGateway(TestRedis redis, FakeInferenceServer inference, GatewayFactory factory, ConnectionMultiplexer connection, Uri address)
    {
        Redis = redis;
        Inference = inference;
        Factory = factory;
        Connection = connection;
        Client = connection.GetDatabase();
        Address = address;
    }

    public TestRedis Redis { get; }

    public FakeInferenceServer Inference { get; }

    public GatewayFactory Factory { get; }

    public ConnectionMultiplexer Connection { get; }

    public IDatabase Client { get; }

    /// <summary>The gateway's base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    public static async Task<KestrelGateway> StartAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var redis = await TestRedis.StartAsync();
        var inference = await FakeInferenceServer.StartAsync();
        var factory = new GatewayFactory(redis.ConnectionString, inference.Address, overrides);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var connection = await redis.ConnectAsync();
        return new KestrelGateway(redis, inference, factory, connection, new Uri(address));
    }

    public Task<long> QueueLengthAsync() => Client.StreamLengthAsync(QueueKeys.Jobs);

    /// <summary>The head of a submission to model "digits" with the test API key.</summary>
    public static string SubmissionHead(string framing, string contentType = "image/png") =>
        $"POST /v1/jobs?model=digits HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nX-Api-Key: {GatewayFactory.ApiKey}\r\n" +
        $"Content-Type: {contentType}\r\n{framing}\r\n\r\n";

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Factory.DisposeAsync();
        await Inference.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
