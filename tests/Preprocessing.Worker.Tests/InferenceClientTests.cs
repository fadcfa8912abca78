using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlAspire.Inference.Client;
using MlAspire.Inference.Protocol;
using MlAspire.ServiceDefaults;
using MlAspire.Tests.Infrastructure;

namespace MlAspire.Preprocessing.Worker.Tests;

/// <summary>
/// <c>AddInferenceClient</c> as a service of an Aspire app uses it: ServiceDefaults, the address from
/// <c>services__inference__grpc__0</c>, against a real KServe v2 server over h2c.
/// </summary>
public sealed class InferenceClientTests
{
    private static IHost CreateHost(FakeInferenceServer inference, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(
            settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)).Append(KeyValuePair.Create("services:inference:grpc:0", (string?)inference.Address)));
        builder.AddServiceDefaults();
        builder.AddInferenceClient("inference");
        return builder.Build();
    }

    private static ModelInferRequest OneDigit() => Digits(1);

    private static ModelInferRequest Digits(int count)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { count, 1, 28, 28 } };
        return new ModelInferRequest { ModelName = "digits", Inputs = { input }, RawInputContents = { ByteString.CopyFrom(new byte[count * 28 * 28 * sizeof(float)]) } };
    }

    [Fact]
    public async Task UnavailableIsRetriedWithinOneCall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var inference = await FakeInferenceServer.StartAsync();
        using var host = CreateHost(inference);
        await host.StartAsync(cts.Token);
        var client = host.Services.GetRequiredService<GRPCInferenceService.GRPCInferenceServiceClient>();
        inference.State.FailNext(2);

        var response = await client.ModelInferAsync(OneDigit(), cancellationToken: cts.Token);

        Assert.Equal("digits", response.ModelName);
        Assert.Equal(3, inference.State.InferCalls);
        await host.StopAsync(cts.Token);
    }

    [Fact]
    public async Task ARequestOverGrpcsDefaultRetryBufferIsRetriedToo()
    {
        // 400 digits are 1.25 MB: over Grpc.Net.Client's default 1 MiB per-call retry buffer.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var inference = await FakeInferenceServer.StartAsync();
        inference.State.MaxBatchSize = 400;
        using var host = CreateHost(inference);
        await host.StartAsync(cts.Token);
        var client = host.Services.GetRequiredService<GRPCInferenceService.GRPCInferenceServiceClient>();
        inference.State.FailNext(1);

        var response = await client.ModelInferAsync(Digits(400), cancellationToken: cts.Token);

        Assert.Equal(400, response.Outputs[0].Shape[0]);
        Assert.Equal(2, inference.State.InferCalls);
        await host.StopAsync(cts.Token);
    }

    [Fact]
    public async Task OtherErrorsAreNotRetried()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var inference = await FakeInferenceServer.StartAsync();
        using var host = CreateHost(inference);
        await host.StartAsync(cts.Token);
        var client = host.Services.GetRequiredService<GRPCInferenceService.GRPCInferenceServiceClient>();
        inference.State.FailureCode = StatusCode.InvalidArgument;
        inference.State.FailNext(1);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(OneDigit(), cancellationToken: cts.Token).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(1, inference.State.InferCalls);
        await host.StopAsync(cts.Token);
    }

    [Fact]
    public async Task ACallWithoutItsOwnDeadlineGetsTheConfiguredOne()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var inference = await FakeInferenceServer.StartAsync();
        using var host = CreateHost(inference, ("InferenceClients:inference:Deadline", "00:00:00.300"));
        await host.StartAsync(cts.Token);
        var client = host.Services.GetRequiredService<GRPCInferenceService.GRPCInferenceServiceClient>();
        inference.State.InferDelay = TimeSpan.FromSeconds(20);
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(OneDigit(), cancellationToken: cts.Token).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        await host.StopAsync(cts.Token);
    }

    [Theory]
    [InlineData("InferenceClients:inference:Deadline", "00:00:00", "Deadline")]
    [InlineData("InferenceClients:inference:MaxAttempts", "9", "MaxAttempts")]
    public async Task BadSettingsFailAtStartNamingTheSetting(string key, string value, string name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var inference = await FakeInferenceServer.StartAsync();
        using var host = CreateHost(inference, (key, value));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(cts.Token));

        Assert.Contains(name, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
