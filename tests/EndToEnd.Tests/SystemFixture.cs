using MlAspire.Tests.Infrastructure;
using MlAspire.Tests.Shared;
using StackExchange.Redis;

namespace MlAspire.EndToEnd.Tests;

/// <summary>
/// A real redis-server and the real Inference.Service (ONNX Runtime, the repo's models/) as processes on loopback,
/// shared by the tests; each test starts its own workers and gateway with <see cref="StartWorker"/> / <see cref="StartGatewayAsync"/>.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public const string ApiKey = "e2e-key-4242";

    private readonly List<ServiceProcess> _perTest = [];
    private ServiceProcess _inference = null!;

    public TestRedis Redis { get; private set; } = null!;

    /// <summary>The test's own multiplexer (subscriptions, server commands).</summary>
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public IDatabase Client { get; private set; } = null!;

    public string InferenceGrpc { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Redis = await TestRedis.StartAsync();
        Connection = await Redis.ConnectAsync();
        Client = Connection.GetDatabase();
        var grpcPort = Ports.Free();
        var httpPort = Ports.Free();
        InferenceGrpc = $"http://127.0.0.1:{grpcPort}";
        _inference = ServiceProcess.Start("Inference.Service", "inference", RunModeEnvironment.Inference(InferenceGrpc, $"http://127.0.0.1:{httpPort}"));
        await _inference.WaitHealthyAsync($"http://127.0.0.1:{httpPort}/health", TimeSpan.FromSeconds(90));
    }

    /// <summary>Empties Redis and stops what the previous test started.</summary>
    public async Task ResetAsync()
    {
        foreach (var process in _perTest)
        {
            await process.DisposeAsync();
        }

        _perTest.Clear();
        await Client.ExecuteAsync("FLUSHALL");
    }

    public ServiceProcess StartWorker(string name, params (string Key, string Value)[] settings)
    {
        var environment = RunModeEnvironment.Worker(Redis.ConnectionString, InferenceGrpc, name).With(settings);
        var worker = ServiceProcess.Start("Preprocessing.Worker", name, environment);
        _perTest.Add(worker);
        return worker;
    }

    /// <summary>Starts the gateway and returns an HttpClient for it carrying the API key.</summary>
    public async Task<HttpClient> StartGatewayAsync()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var gateway = ServiceProcess.Start("Gateway.Api", "gateway", RunModeEnvironment.Gateway(Redis.ConnectionString, InferenceGrpc, url, "e2e", ApiKey));
        _perTest.Add(gateway);
        await gateway.WaitHealthyAsync(url + "/health", TimeSpan.FromSeconds(60));
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        await ResetAsync();
        await _inference.DisposeAsync();
        await Connection.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
