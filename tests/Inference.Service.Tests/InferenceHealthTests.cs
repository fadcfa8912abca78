using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

/// <summary>grpc.health.v1 as Kubernetes and Triton clients see it, from the same checks as /health.</summary>
public sealed class InferenceHealthTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("mlaspire-inference-health-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    private async Task<HealthCheckResponse.Types.ServingStatus[]> ServingStatusAsync(CancellationToken cancellationToken)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Inference:ModelRepository", _repository);
            builder.UseSetting("Inference:WarmupRuns", "1");
        });
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        factory.StartServer();
        await factory.Services.GetRequiredService<ModelRepository>().WhenLoadedAsync(cancellationToken);
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var channel = GrpcChannel.ForAddress(address);
        var health = new Health.HealthClient(channel);
        var statuses = new List<HealthCheckResponse.Types.ServingStatus>();
        foreach (var service in new[] { "", "inference.GRPCInferenceService" })
        {
            var response = await health.CheckAsync(
                new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
            statuses.Add(response.Status);
        }

        return [.. statuses];
    }

    [Fact]
    public async Task NoServableModelIsNotServingForTheServerAndTheInferenceService()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var broken = TestModels.CopyModel(TestModels.DigitsDirectory, _repository);
        File.WriteAllText(Path.Combine(broken, "config.json"), "{ \"name\": \"digits\", ");

        var statuses = await ServingStatusAsync(cts.Token);

        Assert.All(statuses, s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, s));
    }

    [Fact]
    public async Task OneFailedModelBesideAServingOneIsDegradedAndStillServing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        TestModels.CopyModel(TestModels.DigitsDirectory, _repository);
        var broken = TestModels.CopyModel(TestModels.DigitsDirectory, _repository, "broken");
        File.WriteAllText(Path.Combine(broken, "config.json"), "{ \"name\": \"broken\", ");

        var statuses = await ServingStatusAsync(cts.Token);

        Assert.All(statuses, s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, s));
    }
}
