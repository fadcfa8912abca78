namespace MlAspire.OnnxRuntime.Tests;

[Collection(OrtCollection.Name)]
public sealed class CancellationTests(OrtFixture fixture)
{
    private const int Size = 256;

    // y = x · W^trips with W = 0.5·I, as an ONNX Loop whose trip count is an input: a handful of iterations
    // checks the arithmetic, a huge count gives a run that is still going when the test cancels it.
    private static byte[] LoopModel()
    {
        var weights = new float[Size * Size];
        for (var i = 0; i < Size; i++)
        {
            weights[i * Size + i] = 0.5f;
        }

        var body = new OnnxModelBuilder()
            .Input("iteration", TensorElementType.Int64, [])
            .Input("condition", TensorElementType.Bool, [])
            .Input("v", TensorElementType.Float, [Size, Size])
            .Output("condition_out", TensorElementType.Bool, [])
            .Output("v_out", TensorElementType.Float, [Size, Size])
            .Node("Identity", ["condition"], ["condition_out"])
            .Node("MatMul", ["v", "w"], ["v_out"]);

        return new OnnxModelBuilder()
            .Input("trips", TensorElementType.Int64, [])
            .Input("keep_going", TensorElementType.Bool, [])
            .Input("x", TensorElementType.Float, [Size, Size])
            .Output("y", TensorElementType.Float, [Size, Size])
            .FloatInitializer("w", weights, Size, Size)
            .Node("Loop", ["trips", "keep_going", "x"], ["y"], OnnxModelBuilder.GraphAttribute("body", body.Graph))
            .Build();
    }

    private static InputTensor[] Inputs(long trips, float[] x) =>
    [
        InputTensor.Create<long>("trips", new[] { trips }, []),
        InputTensor.Create<bool>("keep_going", new[] { true }, []),
        InputTensor.Create<float>("x", x, [Size, Size]),
    ];

    [Fact]
    public void TheLoopModelComputesRepeatedProducts()
    {
        using var session = fixture.Environment.CreateSession(LoopModel());
        var x = Enumerable.Range(0, Size * Size).Select(i => (float)(i % 17)).ToArray();

        using var result = session.Run(Inputs(3, x));

        Assert.Equal(x.Select(v => v * 0.125f).ToArray(), result["y"].ToArray<float>());
    }

    [Fact]
    public async Task CancellingMidRunThrowsOperationCanceledAndTheSessionStaysUsable()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var session = fixture.Environment.CreateSession(LoopModel());
        var x = Enumerable.Range(0, Size * Size).Select(i => (float)(i % 5)).ToArray();
        using var cancel = new CancellationTokenSource();

        // Tens of millions of iterations: hours if it were not stopped.
        var run = Task.Run(() => session.Run(Inputs(50_000_000, x), cancel.Token), timeout.Token);
        await Task.Delay(300, timeout.Token);
        Assert.False(run.IsCompleted, "the run ended before it was cancelled");
        await cancel.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(timeout.Token));
        Assert.Equal(cancel.Token, ex.CancellationToken);

        // The same session runs again, with correct results: the terminate flag belonged to the cancelled run.
        using var result = session.Run(Inputs(2, x), timeout.Token);
        Assert.Equal(x.Select(v => v * 0.25f).ToArray(), result["y"].ToArray<float>());
    }

    [Fact]
    public void AnAlreadyCancelledTokenThrowsBeforeRunning()
    {
        using var session = fixture.Environment.CreateSession(LoopModel());
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => session.Run(Inputs(1, new float[Size * Size]), cancel.Token));
    }
}
