namespace MlAspire.Grpc.Tests.Interop;

/// <summary>The standard interop cases in both directions against Python grpcio.</summary>
public sealed class InteropTests(InteropFixture fixture) : IClassFixture<InteropFixture>
{
    public static TheoryData<string> Cases => new(InteropClient.Cases);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OurClientPassesCaseAgainstGrpcioServer(string testCase)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var recorder = new FrameFlagRecorder(GrpcChannel.CreateHandler());
        using var channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{fixture.Python.Port}"),
            new GrpcChannelOptions { HttpHandler = recorder, DisposeHttpHandler = true });
        await new InteropClient(channel, recorder, serverChecksCompression: false).RunAsync(testCase, cts.Token);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GrpcioClientPassesCaseAgainstOurServer(string testCase)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (exitCode, output) = await PythonPeer.RunClientAsync(fixture.Host.Address.Port, testCase, cts.Token);
        Assert.True(exitCode == 0, $"grpcio client case {testCase} failed (exit {exitCode}):\n{output}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OurClientPassesCaseAgainstOurServer(string testCase)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var recorder = new FrameFlagRecorder(GrpcChannel.CreateHandler());
        using var channel = GrpcChannel.ForAddress(fixture.Host.Address,
            new GrpcChannelOptions { HttpHandler = recorder, DisposeHttpHandler = true });
        await new InteropClient(channel, recorder, serverChecksCompression: true).RunAsync(testCase, cts.Token);
    }
}
