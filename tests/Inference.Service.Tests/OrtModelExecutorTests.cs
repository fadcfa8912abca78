using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;
using OrtType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace MlAspire.Inference.Service.Tests;

/// <summary>What the service relies on from ONNX Runtime, through its own executor: small models built in memory.</summary>
public sealed class OrtModelExecutorTests : IDisposable
{
    private const int LoopSize = 256;
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-ort-").FullName;
    private int _models;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ModelDefinition Define(
        byte[] onnx, int maxBatchSize, TensorSpec[] inputs, TensorSpec[] outputs, ExecutionProviderPreference provider = ExecutionProviderPreference.Cpu)
    {
        var path = Path.Combine(_root, $"model{Interlocked.Increment(ref _models)}.onnx");
        File.WriteAllBytes(path, onnx);
        return new ModelDefinition(
            "test", "1", ModelConfigLoader.DefaultPlatform, path, maxBatchSize, inputs, outputs,
            new BatchingSpec(false, TimeSpan.Zero, [], 16), 1, provider, null, null, OrtSettingsSpec.ServiceDefaults);
    }

    private static TensorSpec Spec(string name, TensorDataType type, params long[] dims) => new(name, type, dims, null);

    private static OrtModelExecutor Create(ModelDefinition model, ILogger? logger = null) =>
        OrtSessionFactory.CreateExecutor(model, intraOpThreads: 1, intraOpSpinning: false, cudaDeviceId: 0, logger ?? NullLogger.Instance);

    private OrtModelExecutor Identity(TensorDataType type, long?[] shape, long[] configDims)
    {
        var ort = OrtModelExecutor.ToElementType(type);
        var model = new OnnxModelBuilder()
            .Input("in", ort, shape)
            .Output("out", ort, shape)
            .Node("Identity", ["in"], ["out"])
            .Build();
        return Create(Define(model, 8, [Spec("in", type, configDims)], [Spec("out", type, configDims)]));
    }

    [Theory]
    [InlineData("FP32")]
    [InlineData("FP16")]
    [InlineData("UInt8")]
    [InlineData("Int8")]
    [InlineData("Int32")]
    [InlineData("Int64")]
    [InlineData("Bool")]
    public async Task EveryServedElementTypeRoundTripsThroughIdentity(string typeName)
    {
        var type = Enum.Parse<TensorDataType>(typeName);
        using var executor = Identity(type, [null, 3], [3]);
        var bytes = new byte[2 * 3 * TensorDataTypes.SizeOf(type)];
        new Random(17).NextBytes(bytes);
        if (type == TensorDataType.Bool)
        {
            bytes = [.. bytes.Select(b => (byte)(b & 1))];
        }

        var outputs = await executor.RunAsync([new Tensor("in", type, [2, 3], bytes)], CancellationToken.None);

        var output = Assert.Single(outputs);
        Assert.Equal("out", output.Name);
        Assert.Equal(type, output.DataType);
        Assert.Equal([2L, 3], output.Shape);
        Assert.Equal(bytes, output.Data.ToArray());
    }

    [Fact]
    public async Task InputsOverASliceOfALargerBufferAreReadWhereTheyAre()
    {
        using var executor = Identity(TensorDataType.FP32, [null, 3], [3]);
        float[] buffer = [99, 99, 1, 2, 3, 4, 5, 6, 99];
        var slice = MemoryMarshal.AsBytes(buffer.AsSpan()).ToArray().AsMemory(2 * sizeof(float), 6 * sizeof(float));

        var outputs = await executor.RunAsync([new Tensor("in", TensorDataType.FP32, [2, 3], slice)], CancellationToken.None);

        Assert.Equal([1f, 2, 3, 4, 5, 6], MemoryMarshal.Cast<byte, float>(outputs[0].Data.Span).ToArray());
    }

    [Fact]
    public async Task AnOutputWhoseShapeIsKnownOnlyAfterTheRunComesBackWithItsShape()
    {
        // Dimensions past the batch are dynamic: ONNX Runtime allocates the output and the executor copies it out.
        using var executor = Identity(TensorDataType.Int32, [null, null], [-1]);
        int[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        var outputs = await executor.RunAsync([new Tensor("in", TensorDataType.Int32, [2, 5], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())], CancellationToken.None);

        Assert.Equal([2L, 5], outputs[0].Shape);
        Assert.Equal(values, MemoryMarshal.Cast<byte, int>(outputs[0].Data.Span).ToArray());
    }

    [Fact]
    public async Task AModelPreferringTheGpuRunsOnTheCpuWhereCudaCannotLoadAndLogsWhy()
    {
        var model = new OnnxModelBuilder()
            .Input("a", OrtType.Float, [null, 2])
            .Output("sum", OrtType.Float, [null, 2])
            .Node("Add", ["a", "a"], ["sum"])
            .Build();
        using var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(capture));

        using var executor = Create(
            Define(model, 4, [Spec("a", TensorDataType.FP32, 2)], [Spec("sum", TensorDataType.FP32, 2)], ExecutionProviderPreference.Gpu),
            loggers.CreateLogger("test"));
        var outputs = await executor.RunAsync(
            [new Tensor("a", TensorDataType.FP32, [1, 2], MemoryMarshal.AsBytes(new float[] { 1.5f, -2 }.AsSpan()).ToArray())], CancellationToken.None);

        Assert.Equal([3f, -4], MemoryMarshal.Cast<byte, float>(outputs[0].Data.Span).ToArray());
        if (executor.ExecutionProvider == OrtModelExecutor.CudaExecutionProvider)
        {
            // A host with CUDA 13 and cuDNN 9: the GPU is used and nothing is reported.
            Assert.DoesNotContain(capture.Entries, e => e.EventId.Id == 3005);
            return;
        }

        Assert.Equal(OrtModelExecutor.CpuExecutionProvider, executor.ExecutionProvider);
        var warning = Assert.Single(capture.Entries, e => e.EventId.Id == 3005);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Matches("^Model test prefers the GPU .* on device 0; running on the CPU. Reason: .{10,}", warning.Message);
    }

    [Fact]
    public async Task TheDigitsModelGetsAtLeast97PercentOfTheHeldOutSetAndBatchesGiveTheSingleRunsLogits()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var model = ModelConfigLoader.Load(TestModels.DigitsDirectory);
        using var executor = Create(model with { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var (images, labels) = TestModels.HeldOut();
        const int Batch = 64;

        var correct = 0;
        for (var start = 0; start + Batch <= images.Length; start += Batch)
        {
            var pixels = images.Skip(start).Take(Batch).SelectMany(i => i).ToArray();
            var batched = await executor.RunAsync([new Tensor("input", TensorDataType.FP32, [Batch, 1, 28, 28], MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray())], cts.Token);
            var logits = MemoryMarshal.Cast<byte, float>(batched[0].Data.Span).ToArray();
            for (var i = 0; i < Batch; i++)
            {
                var single = await executor.RunAsync([new Tensor("input", TensorDataType.FP32, [1, 1, 28, 28], MemoryMarshal.AsBytes(images[start + i].AsSpan()).ToArray())], cts.Token);
                var row = logits.AsSpan(i * 10, 10).ToArray();
                Assert.Equal(row, MemoryMarshal.Cast<byte, float>(single[0].Data.Span).ToArray());
                correct += Array.IndexOf(row, row.Max()) == labels[start + i] ? 1 : 0;
            }
        }

        var total = images.Length / Batch * Batch;
        Assert.True(correct >= 0.97 * total, $"{correct}/{total} held-out digits classified correctly");
    }

    [Fact]
    public async Task ConcurrentRunsOnOneExecutorGiveEachCallerItsOwnResult()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var weights = Enumerable.Range(0, 4 * 3).Select(i => (i % 5) - 2f).ToArray();
        var model = new OnnxModelBuilder()
            .Input("x", OrtType.Float, [null, 4])
            .Output("y", OrtType.Float, [null, 3])
            .FloatInitializer("w", weights, 4, 3)
            .Node("MatMul", ["x", "w"], ["y"])
            .Build();
        using var executor = Create(Define(model, 16, [Spec("x", TensorDataType.FP32, 4)], [Spec("y", TensorDataType.FP32, 3)]));

        await Task.WhenAll(Enumerable.Range(1, 8).Select(rows => Task.Run(async () =>
        {
            for (var round = 0; round < 20; round++)
            {
                var x = Enumerable.Range(0, rows * 4).Select(i => (i + round) / 7f).ToArray();
                var outputs = await executor.RunAsync([new Tensor("x", TensorDataType.FP32, [rows, 4], MemoryMarshal.AsBytes(x.AsSpan()).ToArray())], cts.Token);
                var y = MemoryMarshal.Cast<byte, float>(outputs[0].Data.Span).ToArray();
                Assert.Equal([rows, 3L], outputs[0].Shape);
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var expected = 0f;
                        for (var k = 0; k < 4; k++)
                        {
                            expected += x[r * 4 + k] * weights[k * 3 + c];
                        }

                        Assert.Equal(expected, y[r * 3 + c], 1e-4f);
                    }
                }
            }
        }, cts.Token)));
    }

    // y = x · W^trips with W = 0.5·I, as an ONNX Loop whose trip count is an input: a few trips check the result, a
    // huge count gives a run that is still going when the test cancels it.
    private OrtModelExecutor LoopExecutor()
    {
        var weights = new float[LoopSize * LoopSize];
        for (var i = 0; i < LoopSize; i++)
        {
            weights[i * LoopSize + i] = 0.5f;
        }

        var body = new OnnxModelBuilder()
            .Input("iteration", OrtType.Int64, [])
            .Input("condition", OrtType.Bool, [])
            .Input("v", OrtType.Float, [LoopSize, LoopSize])
            .Output("condition_out", OrtType.Bool, [])
            .Output("v_out", OrtType.Float, [LoopSize, LoopSize])
            .Node("Identity", ["condition"], ["condition_out"])
            .Node("MatMul", ["v", "w"], ["v_out"]);
        var model = new OnnxModelBuilder()
            .Input("trips", OrtType.Int64, [])
            .Input("keep_going", OrtType.Bool, [])
            .Input("x", OrtType.Float, [LoopSize, LoopSize])
            .Output("y", OrtType.Float, [LoopSize, LoopSize])
            .FloatInitializer("w", weights, LoopSize, LoopSize)
            .Node("Loop", ["trips", "keep_going", "x"], ["y"], OnnxModelBuilder.GraphAttribute("body", body.Graph))
            .Build();
        return Create(Define(
            model,
            0,
            [Spec("trips", TensorDataType.Int64), Spec("keep_going", TensorDataType.Bool), Spec("x", TensorDataType.FP32, LoopSize, LoopSize)],
            [Spec("y", TensorDataType.FP32, LoopSize, LoopSize)]));
    }

    private static Tensor[] LoopInputs(long trips, float[] x) =>
    [
        new("trips", TensorDataType.Int64, [], BitConverter.GetBytes(trips)),
        new("keep_going", TensorDataType.Bool, [], new byte[] { 1 }),
        new("x", TensorDataType.FP32, [LoopSize, LoopSize], MemoryMarshal.AsBytes(x.AsSpan()).ToArray()),
    ];

    [Fact]
    public async Task CancellingMidRunThrowsOperationCanceledAndTheModelKeepsServing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var executor = LoopExecutor();
        var x = Enumerable.Range(0, LoopSize * LoopSize).Select(i => (float)(i % 5)).ToArray();
        using var cancel = new CancellationTokenSource();

        // Tens of millions of iterations: hours if it were not stopped.
        var run = Task.Run(() => executor.RunAsync(LoopInputs(50_000_000, x), cancel.Token), timeout.Token);
        await Task.Delay(300, timeout.Token);
        Assert.False(run.IsCompleted, "the run ended before it was cancelled");
        await cancel.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(timeout.Token));
        Assert.Equal(cancel.Token, ex.CancellationToken);

        // The next run is not terminated: the flag belonged to the cancelled run's own RunOptions.
        var outputs = await executor.RunAsync(LoopInputs(2, x), timeout.Token);
        Assert.Equal(x.Select(v => v * 0.25f).ToArray(), MemoryMarshal.Cast<byte, float>(outputs[0].Data.Span).ToArray());
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenThrowsBeforeRunning()
    {
        using var executor = LoopExecutor();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => executor.RunAsync(LoopInputs(1, new float[LoopSize * LoopSize]), cancel.Token));
    }
}
