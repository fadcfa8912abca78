using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

/// <summary>What the serving engine answers, request by request, against ONNX Runtime called in process at batch 1.</summary>
public sealed class ServedResultsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InferenceMetrics _metrics;

    public ServedResultsTests() => _metrics = new InferenceMetrics(_services.GetRequiredService<IMeterFactory>());

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task EveryRequestGetsExactlyTheInProcessBatchOneLogitsWhetherItRanAloneOrBatched()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var model = ModelConfigLoader.Load(TestModels.DigitsDirectory) with { ExecutionProvider = ExecutionProviderPreference.Cpu };
        var (images, _) = TestModels.HeldOut();
        images = images[..96];
        var expected = InProcessBatchOne(model.ModelPath, images);

        var executor = new GatedExecutor(OrtSessionFactory.CreateExecutor(model, intraOpThreads: 1, intraOpSpinning: false, cudaDeviceId: 0, NullLogger.Instance));
        await using (var batcher = new DynamicBatcher(model, executor, 2, formBatches: true, _metrics, NullLogger.Instance))
        {
            // Single images and runs of three, all queued while both execution slots are held at the gate.
            var requests = new List<(int First, int Count, Task<IReadOnlyList<Tensor>> Answer)>();
            for (var i = 0; i < images.Length;)
            {
                var count = i % 7 == 0 && i + 3 <= images.Length ? 3 : 1;
                var pixels = images.Skip(i).Take(count).SelectMany(p => p).ToArray();
                var input = new Tensor("input", TensorDataType.FP32, [count, 1, 28, 28], MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray());
                requests.Add((i, count, batcher.EnqueueAsync([input], count, cts.Token)));
                i += count;
            }

            while (executor.Waiting < 2)
            {
                await Task.Delay(5, cts.Token);
            }

            executor.Gate.SetResult();
            foreach (var (first, count, answer) in requests)
            {
                var logits = (await answer.WaitAsync(cts.Token)).Single();
                Assert.Equal([count, 10L], logits.Shape);
                var values = MemoryMarshal.Cast<byte, float>(logits.Data.Span);
                for (var r = 0; r < count; r++)
                {
                    Assert.Equal(expected[first + r], values.Slice(r * 10, 10).ToArray());
                }
            }
        }

        Assert.Equal(images.Length, executor.BatchRows.Sum());
        Assert.Contains(executor.BatchRows, rows => rows > 3);
        executor.Dispose();
    }

    /// <summary>Each image through its own InferenceSession.Run at batch 1, ONNX Runtime's defaults.</summary>
    private static float[][] InProcessBatchOne(string path, float[][] images)
    {
        using var session = new InferenceSession(path);
        return [.. images.Select(image =>
        {
            using var input = OrtValue.CreateTensorValueFromMemory(image, [1, 1, 28, 28]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [input], ["logits"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        })];
    }
}
