using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.Tests.Infrastructure;

/// <summary>Hosts <see cref="FakeInferenceService"/> on Grpc.AspNetCore and Kestrel, cleartext HTTP/2 (h2c) on 127.0.0.1:0.</summary>
public sealed class FakeInferenceServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeInferenceServer(WebApplication app, FakeInference state, string address)
    {
        _app = app;
        State = state;
        Address = address;
    }

    public FakeInference State { get; }

    public string Address { get; }

    public static async Task<FakeInferenceServer> StartAsync()
    {
        var state = new FakeInference();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<FakeInferenceService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeInferenceServer(app, state, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
