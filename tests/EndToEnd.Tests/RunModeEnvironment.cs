using System.Security.Cryptography;
using System.Text;
using MlAspire.Tests.Infrastructure;
using MlAspire.Tests.Shared;

namespace MlAspire.EndToEnd.Tests;

/// <summary>
/// The environment each service gets from the AppHost in run mode (connection string, service discovery, Kestrel
/// endpoints, OTEL names), for tests that start the services as processes themselves.
/// </summary>
public static class RunModeEnvironment
{
    /// <summary>Inference.Service with a gRPC (HTTP/2) endpoint and an HTTP endpoint for /health, on the repo's models/.</summary>
    public static Dictionary<string, string> Inference(string grpcUrl, string httpUrl) => new()
    {
        ["Kestrel__Endpoints__grpc__Url"] = grpcUrl,
        ["Kestrel__Endpoints__grpc__Protocols"] = "Http2",
        ["Kestrel__Endpoints__http__Url"] = httpUrl,
        ["Inference__ModelRepository"] = RepoRoot.Models,
        ["OTEL_SERVICE_NAME"] = "inference",
    };

    /// <summary>A Preprocessing.Worker replica named <paramref name="name"/> (its consumer name derives from it).</summary>
    public static Dictionary<string, string> Worker(string redis, string inferenceGrpc, string name) => new()
    {
        ["ConnectionStrings__redis"] = redis,
        ["services__inference__grpc__0"] = inferenceGrpc,
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.Free()}",
        ["OTEL_SERVICE_NAME"] = "preprocessing",
        ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=" + name,
    };

    /// <summary>Gateway.Api on <paramref name="url"/>, accepting one API key (configured, as always, by its SHA-256).</summary>
    public static Dictionary<string, string> Gateway(string redis, string inferenceGrpc, string url, string keyName, string apiKey) => new()
    {
        ["ConnectionStrings__redis"] = redis,
        ["services__inference__grpc__0"] = inferenceGrpc,
        ["ASPNETCORE_URLS"] = url,
        ["OTEL_SERVICE_NAME"] = "gateway",
        ["Gateway__ApiKeys__0"] = keyName + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
    };

    /// <summary><paramref name="environment"/> with <paramref name="settings"/> laid over it.</summary>
    public static Dictionary<string, string> With(this Dictionary<string, string> environment, IEnumerable<(string Key, string Value)> settings)
    {
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }
}
