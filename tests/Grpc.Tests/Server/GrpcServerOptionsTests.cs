using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlAspire.Grpc.Health;

namespace MlAspire.Grpc.Tests.Server;

public sealed class GrpcServerOptionsTests
{
    [Fact]
    public async Task InvalidMessageSizeFailsAtStartNamingTheSetting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GrpcTestHost.StartAsync(s => s.AddGrpc(o => o.MaxReceiveMessageSize = 0), _ => { }));
        Assert.Contains("MaxReceiveMessageSize", ex.Message);
    }

    [Fact]
    public async Task UnknownResponseCompressionFailsAtStart()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GrpcTestHost.StartAsync(s => s.AddGrpc(o => o.ResponseCompressionAlgorithm = "br"), _ => { }));
        Assert.Contains("ResponseCompressionAlgorithm", ex.Message);
    }

    [Fact]
    public async Task HealthWatchIntervalIsValidatedAtStart()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GrpcTestHost.StartAsync(s => s.AddGrpcHealth(o => o.WatchInterval = TimeSpan.Zero), _ => { }));
        Assert.Contains("WatchInterval", ex.Message);
    }

    [Fact]
    public async Task MappingWithoutAddGrpcExplainsWhatIsMissing()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            GrpcTestHost.StartAsync(_ => { }, e => e.MapGrpc(new ProbeService().Build())));
        Assert.Contains("AddGrpc", ex.Message);
    }
}
