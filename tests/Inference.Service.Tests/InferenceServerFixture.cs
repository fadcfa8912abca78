using System.Diagnostics.Metrics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Net.Client;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

/// <summary>The real Inference.Service (its Program) on real Kestrel, HTTP/2 on a free loopback port, serving models/.</summary>
public sealed partial class InferenceServerFixture : IAsyncLifetime
{
    private readonly string _repository = Directory.CreateTempSubdirectory("mlaspire-inference-api-").FullName;
    private WebApplicationFactory<Program>? _factory;

    /// <summary>A copy of digits whose queue waits 100 ms for company, so batching shows however slowly callers arrive.</summary>
    internal const string PatientDigits = "digits_patient";

    internal Uri Address { get; private set; } = null!;

    internal GrpcChannel Channel { get; private set; } = null!;

    internal GRPCInferenceService.GRPCInferenceServiceClient Client { get; private set; } = null!;

    internal IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        TestModels.CopyModel(TestModels.DigitsDirectory, _repository);
        TestModels.CopyDigitsAs(_repository, PatientDigits, config => DelayPattern().IsMatch(config)
            ? DelayPattern().Replace(config, "\"max_queue_delay_us\": 100000", 1)
            : throw new InvalidOperationException($"models/digits/config.json no longer has the max_queue_delay_us {PatientDigits} rewrites."));
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Inference:ModelRepository", _repository);
            builder.UseSetting("Inference:WarmupRuns", "1");
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address);
        Channel = GrpcChannel.ForAddress(Address);
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _factory.Services.GetRequiredService<ModelRepository>().WhenLoadedAsync(cts.Token);
    }

    /// <summary>Sums a counter of the service's own Meter (not other hosts' in this process) while <paramref name="action"/> runs.</summary>
    internal async Task<long> CountAsync(string instrument, string model, Func<Task> action)
    {
        var scope = Services.GetRequiredService<IMeterFactory>();
        long total = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == InferenceMetrics.MeterName && ReferenceEquals(i.Meter.Scope, scope) && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "model" && (string?)tag.Value == model)
                {
                    Interlocked.Add(ref total, value);
                }
            }
        });
        listener.Start();
        await action();
        return Interlocked.Read(ref total);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        Directory.Delete(_repository, recursive: true);
    }

    [GeneratedRegex("\"max_queue_delay_us\": [0-9]+")]
    private static partial Regex DelayPattern();
}
