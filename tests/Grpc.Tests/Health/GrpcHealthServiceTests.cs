using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlAspire.Grpc.Health;
using MlAspire.Grpc.Health.V1;
using ServingStatus = MlAspire.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace MlAspire.Grpc.Tests.Health;

public sealed class GrpcHealthServiceTests : IAsyncLifetime
{
    private volatile bool _modelReady = true;
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(30));

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(s =>
        {
            s.AddGrpcHealth(o => o.WatchInterval = TimeSpan.FromMilliseconds(50));
            s.AddHealthChecks()
                .AddCheck("model", () => _modelReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(), ["inference.GRPCInferenceService"])
                .AddCheck("disk", () => HealthCheckResult.Degraded());
        }, e => e.MapGrpcHealthService());
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
        _cts.Dispose();
    }

    private Task<HealthCheckResponse> CheckAsync(string service) => _channel.CallInvoker.UnaryAsync(HealthMethods.Check,
        new HealthCheckRequest { Service = service }, new CallOptions(CancellationToken: _cts.Token));

    [Fact]
    public async Task OverallServiceReportsServingWhenChecksAreHealthyOrDegraded() =>
        Assert.Equal(ServingStatus.Serving, (await CheckAsync("")).Status);

    [Fact]
    public async Task NamedServiceFollowsTheChecksTaggedWithIt()
    {
        Assert.Equal(ServingStatus.Serving, (await CheckAsync("inference.GRPCInferenceService")).Status);
        _modelReady = false;
        Assert.Equal(ServingStatus.NotServing, (await CheckAsync("inference.GRPCInferenceService")).Status);
        Assert.Equal(ServingStatus.NotServing, (await CheckAsync("")).Status);
        Assert.Equal(ServingStatus.Serving, (await CheckAsync("disk")).Status);
    }

    [Fact]
    public async Task UnknownServiceIsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => CheckAsync("no.Such"));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task WatchSendsTheCurrentStatusThenEachChange()
    {
        using var call = _channel.CallInvoker.ServerStreaming(HealthMethods.Watch,
            new HealthCheckRequest { Service = "model" }, new CallOptions(CancellationToken: _cts.Token));
        Assert.True(await call.ResponseStream.MoveNextAsync(_cts.Token));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        _modelReady = false;
        Assert.True(await call.ResponseStream.MoveNextAsync(_cts.Token));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task WatchOfAnUnknownServiceSendsServiceUnknown()
    {
        using var call = _channel.CallInvoker.ServerStreaming(HealthMethods.Watch,
            new HealthCheckRequest { Service = "no.Such" }, new CallOptions(CancellationToken: _cts.Token));
        Assert.True(await call.ResponseStream.MoveNextAsync(_cts.Token));
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
    }
}
