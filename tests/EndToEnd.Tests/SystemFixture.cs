using System.Security.Cryptography;
using System.Text;
using MlAspire.Redis;
using MlAspire.Tests.Infrastructure;
using MlAspire.Tests.Shared;

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

    public RedisClient Client { get; private set; } = null!;

    public string InferenceGrpc { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Redis = await TestRedis.StartAsync();
        Client = await RedisClient.ConnectAsync(Redis.ConnectionString);
        var grpcPort = Ports.Free();
        var httpPort = Ports.Free();
        InferenceGrpc = $"http://127.0.0.1:{grpcPort}";
        _inference = ServiceProcess.Start("Inference.Service", "inference", new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__grpc__Url"] = InferenceGrpc,
            ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
            ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{httpPort}",
            ["Inference__ModelRepository"] = RepoRoot.Models,
            ["OTEL_SERVICE_NAME"] = "inference",
        });
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
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = Redis.ConnectionString,
            ["services__inference__grpc__0"] = InferenceGrpc,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.Free()}",
            ["OTEL_SERVICE_NAME"] = "preprocessing",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=" + name,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var worker = ServiceProcess.Start("Preprocessing.Worker", name, environment);
        _perTest.Add(worker);
        return worker;
    }

    /// <summary>Starts the gateway and returns an HttpClient for it carrying the API key.</summary>
    public async Task<HttpClient> StartGatewayAsync()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var gateway = ServiceProcess.Start("Gateway.Api", "gateway", new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = Redis.ConnectionString,
            ["services__inference__grpc__0"] = InferenceGrpc,
            ["ASPNETCORE_URLS"] = url,
            ["OTEL_SERVICE_NAME"] = "gateway",
            ["Gateway__ApiKeys__0"] = "e2e:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey))),
        });
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
        await Client.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
