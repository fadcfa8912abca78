using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MlAspire.OnnxRuntime.Tests;

[Collection(OrtCollection.Name)]
public sealed class CudaFallbackTests(OrtFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void AskingForCudaWithoutAUsableProviderRunsOnCpuAndLogsWhy()
    {
        // This machine has no GPU and the npm build ships no CUDA provider library, so CUDA cannot load.
        // On a CUDA host this test instead checks that CUDA is what the session reports.
        var options = new InferenceSessionOptions
        {
            ExecutionProvider = ExecutionProviderPreference.Cuda,
            Cuda = { DeviceId = 0, GpuMemoryLimit = 1L << 30, CudnnConvAlgoSearch = CudnnConvAlgoSearch.Heuristic },
        };
        var model = new OnnxModelBuilder()
            .Input("a", TensorElementType.Float, [null, 2])
            .Input("b", TensorElementType.Float, [null, 2])
            .Output("sum", TensorElementType.Float, [null, 2])
            .Node("Add", ["a", "b"], ["sum"])
            .Build();

        using var session = fixture.Environment.CreateSession(model, options);
        using var result = session.Run([
            InputTensor.Create<float>("a", new float[] { 1, 2 }, [1, 2]),
            InputTensor.Create<float>("b", new float[] { 3, 4 }, [1, 2]),
        ]);

        Assert.Equal([4f, 6f], result[0].ToArray<float>());
        output.WriteLine($"provider: {session.ExecutionProvider}; fallback reason: {session.ExecutionProviderFallbackReason}");
        if (session.ExecutionProvider == ExecutionProviders.Cuda)
        {
            Assert.Null(session.ExecutionProviderFallbackReason);
            return;
        }

        Assert.Equal(ExecutionProviders.Cpu, session.ExecutionProvider);
        Assert.False(string.IsNullOrWhiteSpace(session.ExecutionProviderFallbackReason));
        Assert.Contains(fixture.Logger.Entries, e =>
            e.EventId.Id == 5002 && e.Level == LogLevel.Warning &&
            e.Message.Contains(session.ExecutionProviderFallbackReason!, StringComparison.Ordinal));
    }
}
