using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MlAspire.Gateway.Api.Services;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>The gateway in-process (TestServer) against a real Redis and a real gRPC inference server.</summary>
public sealed class GatewayFactory(string redis, string inference, IReadOnlyDictionary<string, string?>? overrides = null) : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis + ",connectTimeout=5000,syncTimeout=5000",
            ["services:inference:grpc:0"] = inference,
            ["Gateway:ApiKeys:0"] = "tester:" + ApiKeyStore.Hash(ApiKey),
            ["Gateway:MaxRequestBytes"] = "65536",
            ["Gateway:ClassifyTimeout"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateAuthorizedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }
}
