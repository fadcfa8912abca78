using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

/// <summary>Inference:MaxMessageBytes reaches the gRPC server: a larger request is refused before it is read as a model input.</summary>
public sealed class InferenceMessageLimitTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("mlaspire-inference-limit-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public async Task ARequestOverMaxMessageBytesIsResourceExhaustedAndOneUnderItIsServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        TestModels.CopyModel(TestModels.DigitsDirectory, _repository);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Inference:ModelRepository", _repository);
            builder.UseSetting("Inference:WarmupRuns", "1");
            builder.UseSetting("Inference:MaxMessageBytes", "65536");
        });
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        factory.StartServer();
        await factory.Services.GetRequiredService<ModelRepository>().WhenLoadedAsync(cts.Token);
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var channel = GrpcChannel.ForAddress(address);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        // 16 digits: 50 KB of pixels, under the limit; 32 digits: 100 KB, over it.
        ModelInferRequest Digits(int rows) => new()
        {
            ModelName = "digits",
            Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { rows, 1, 28, 28 } } },
            RawInputContents = { ByteString.CopyFrom(new byte[rows * TestModels.Pixels * sizeof(float)]) },
        };

        var served = await client.ModelInferAsync(Digits(16), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cts.Token);
        Assert.Equal([16L, 10], served.Outputs.Single().Shape);
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(
            Digits(32), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cts.Token).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
