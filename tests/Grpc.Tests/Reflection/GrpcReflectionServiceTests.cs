using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using MlAspire.Grpc.Health;
using MlAspire.Grpc.Reflection;
using MlAspire.Grpc.Reflection.V1Alpha;
using MlAspire.Grpc.Tests.Interop;
using MlAspire.Grpc.Tests.Interop.Messages;

namespace MlAspire.Grpc.Tests.Reflection;

public sealed class GrpcReflectionServiceTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(30));

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(s =>
        {
            s.AddGrpcHealth();
            s.AddGrpcReflection(TestReflection.Descriptor);
        }, e =>
        {
            e.MapGrpcService<InteropTestService>();
            e.MapGrpcHealthService();
            e.MapGrpcReflectionService();
        });
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
        _cts.Dispose();
    }

    private async Task<ServerReflectionResponse[]> AskAsync(params ServerReflectionRequest[] requests)
    {
        using var call = _channel.CallInvoker.Duplex(ReflectionMethods.ServerReflectionInfo, new CallOptions(CancellationToken: _cts.Token));
        var responses = new List<ServerReflectionResponse>();
        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request, _cts.Token);
            Assert.True(await call.ResponseStream.MoveNextAsync(_cts.Token));
            responses.Add(call.ResponseStream.Current);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync(_cts.Token));
        return [.. responses];
    }

    private static string[] FileNames(ServerReflectionResponse response) =>
        [.. response.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name)];

    [Fact]
    public async Task ListServicesNamesEveryMappedService()
    {
        var response = (await AskAsync(new ServerReflectionRequest { ListServices = "*" }))[0];
        var names = response.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("grpc.testing.TestService", names);
        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Contains(ReflectionMethods.ServiceName, names);
    }

    [Fact]
    public async Task FileContainingSymbolReturnsTheFileThenItsDependencies()
    {
        var responses = await AskAsync(
            new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.TestService" },
            new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.SimpleRequest" },
            new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health.Check" },
            new ServerReflectionRequest { FileByFilename = "empty.proto" });

        var testFiles = FileNames(responses[0]);
        Assert.Equal("test.proto", testFiles[0]);
        Assert.Contains("empty.proto", testFiles);
        Assert.Contains("messages.proto", testFiles);
        var service = FileDescriptorProto.Parser.ParseFrom(responses[0].FileDescriptorResponse.FileDescriptorProto[0]).Service;
        Assert.Contains(service, s => s.Name == "TestService" && s.Method.Any(m => m.Name == "FullDuplexCall"));
        Assert.Equal(["messages.proto"], FileNames(responses[1]));
        Assert.Equal(["health.proto"], FileNames(responses[2]));
        Assert.Equal(["empty.proto"], FileNames(responses[3]));
    }

    [Fact]
    public async Task UnknownSymbolIsAnErrorResponseNotAFailedCall()
    {
        var responses = await AskAsync(
            new ServerReflectionRequest { FileContainingSymbol = "no.Such" },
            new ServerReflectionRequest { AllExtensionNumbersOfType = "grpc.testing.Empty" });
        Assert.Equal((int)StatusCode.NotFound, responses[0].ErrorResponse.ErrorCode);
        Assert.Equal((int)StatusCode.Unimplemented, responses[1].ErrorResponse.ErrorCode);
    }
}
