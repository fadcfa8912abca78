using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.Grpc.Tests.Interop;

/// <summary>Our TestService on Kestrel and grpcio's TestService in Python, started once for all interop cases.</summary>
public sealed class InteropFixture : IAsyncLifetime
{
    private GrpcTestHost? _host;
    private PythonPeer? _python;

    internal GrpcTestHost Host => _host!;

    internal PythonPeer Python => _python!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _host = await GrpcTestHost.StartAsync(s => s.AddGrpc(), e => e.MapGrpcService<InteropTestService>());
        _python = await PythonPeer.StartServerAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_python is not null)
        {
            await _python.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
