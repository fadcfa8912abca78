namespace MlAspire.OnnxRuntime.Tests;

[Collection(OrtCollection.Name)]
public sealed class InferenceSessionTests(OrtFixture fixture)
{
    private static byte[] AddModel() => new OnnxModelBuilder()
        .Input("a", TensorElementType.Float, [2, 3])
        .Input("b", TensorElementType.Float, [2, 3])
        .Output("sum", TensorElementType.Float, [2, 3])
        .Node("Add", ["a", "b"], ["sum"])
        .Build();

    private static readonly float[] s_weights = [0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f, 3f, -2f, 1f, 0.125f, 4f, -0.5f];

    // y[N,3] = x[N,4] · W[4,3], batch dimension dynamic.
    private static byte[] MatMulModel() => new OnnxModelBuilder()
        .Input("x", TensorElementType.Float, [null, 4])
        .Output("y", TensorElementType.Float, [null, 3])
        .FloatInitializer("w", s_weights, 4, 3)
        .Node("MatMul", ["x", "w"], ["y"])
        .Build();

    private static float[] MatMulReference(float[] x, int batch)
    {
        var y = new float[batch * 3];
        for (var n = 0; n < batch; n++)
        {
            for (var j = 0; j < 3; j++)
            {
                double acc = 0;
                for (var k = 0; k < 4; k++)
                {
                    acc += (double)x[n * 4 + k] * s_weights[k * 3 + j];
                }

                y[n * 3 + j] = (float)acc;
            }
        }

        return y;
    }

    [Fact]
    public void AddReturnsTheElementwiseSum()
    {
        using var session = fixture.Environment.CreateSession(AddModel());
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] b = [10, 20, 30, -4, -5, -6.5f];

        using var result = session.Run([
            InputTensor.Create<float>("a", a, [2, 3]),
            InputTensor.Create<float>("b", b, [2, 3]),
        ]);

        var sum = result["sum"];
        Assert.Equal([2L, 3L], sum.Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y).ToArray(), sum.ToArray<float>());
    }

    [Fact]
    public void RawLittleEndianBytesAreAcceptedWithoutACopyAndGiveTheSameSum()
    {
        using var session = fixture.Environment.CreateSession(AddModel());
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] b = [0.5f, 0.25f, -3, 8, 1e6f, -6];

        using var result = session.Run([
            InputTensor.CreateFromBytes("a", TensorElementType.Float, System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).ToArray(), [2, 3]),
            InputTensor.CreateFromBytes("b", TensorElementType.Float, System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()).ToArray(), [2, 3]),
        ]);

        Assert.Equal(a.Zip(b, (x, y) => x + y).ToArray(), result["sum"].ToArray<float>());
    }

    [Fact]
    public void RawBytesOfTheWrongLengthOrAnUnsupportedTypeAreRejected()
    {
        var tooShort = Assert.Throws<ArgumentException>(() => InputTensor.CreateFromBytes("a", TensorElementType.Float, new byte[23], [2, 3]));
        Assert.Contains("has 23 bytes but shape [2,3] of Float needs 24", tooShort.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => InputTensor.CreateFromBytes("a", TensorElementType.String, new byte[6], [2, 3]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    public void MatMulWithDynamicBatchMatchesAManualProduct(int batch)
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());
        var x = Enumerable.Range(0, batch * 4).Select(i => (float)Math.Sin(i) * 3).ToArray();

        using var result = session.Run([InputTensor.CreateBatch<float>("x", x, batch, [4])]);

        var y = result[0];
        Assert.Equal("y", y.Name);
        Assert.Equal([(long)batch, 3L], y.Shape);
        var expected = MatMulReference(x, batch);
        var actual = y.ToArray<float>();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-4f);
        }
    }

    [Fact]
    public void MetadataReportsNamesTypesAndDynamicDimensionsAsMinusOne()
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());

        var input = Assert.Single(session.Inputs);
        Assert.Equal("x", input.Name);
        Assert.True(input.IsTensor);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([-1L, 4L], input.Dimensions);
        Assert.Equal(["batch", ""], input.SymbolicDimensions);
        var output = Assert.Single(session.Outputs);
        Assert.Equal("y", output.Name);
        Assert.Equal([-1L, 3L], output.Dimensions);
        Assert.Equal(ExecutionProviders.Cpu, session.ExecutionProvider);
        Assert.Null(session.ExecutionProviderFallbackReason);
    }

    [Fact]
    public void ConvMatchesADirectConvolution()
    {
        // 1x1x5x5 input, 2 output channels of 3x3 kernels, bias, padding 1, stride 1.
        var weights = Enumerable.Range(0, 18).Select(i => (i % 5) - 2f + (i / 9) * 0.5f).ToArray();
        float[] bias = [0.25f, -1f];
        var model = new OnnxModelBuilder()
            .Input("image", TensorElementType.Float, [1, 1, 5, 5])
            .Output("features", TensorElementType.Float, [1, 2, 5, 5])
            .FloatInitializer("w", weights, 2, 1, 3, 3)
            .FloatInitializer("b", bias, 2)
            .Node("Conv", ["image", "w", "b"], ["features"],
                OnnxModelBuilder.IntsAttribute("kernel_shape", 3, 3),
                OnnxModelBuilder.IntsAttribute("pads", 1, 1, 1, 1))
            .Build();
        var image = Enumerable.Range(0, 25).Select(i => (float)((i * 7) % 11) - 5f).ToArray();

        using var session = fixture.Environment.CreateSession(model);
        using var result = session.Run([InputTensor.Create<float>("image", image, [1, 1, 5, 5])]);

        var actual = result["features"].ToArray<float>();
        for (var oc = 0; oc < 2; oc++)
        {
            for (var y = 0; y < 5; y++)
            {
                for (var x = 0; x < 5; x++)
                {
                    double acc = bias[oc];
                    for (var ky = 0; ky < 3; ky++)
                    {
                        for (var kx = 0; kx < 3; kx++)
                        {
                            int iy = y + ky - 1, ix = x + kx - 1;
                            if (iy is >= 0 and < 5 && ix is >= 0 and < 5)
                            {
                                acc += image[iy * 5 + ix] * weights[oc * 9 + ky * 3 + kx];
                            }
                        }
                    }

                    Assert.Equal((float)acc, actual[oc * 25 + y * 5 + x], 1e-4f);
                }
            }
        }
    }

    [Fact]
    public void SessionFromAFileGivesTheSameResultsAsFromBytes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlaspire-matmul-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, MatMulModel());
        try
        {
            using var fromFile = fixture.Environment.CreateSession(path);
            using var fromBytes = fixture.Environment.CreateSession(MatMulModel());
            float[] x = [1, 2, 3, 4, -1, -2, -3, -4];

            using var a = fromFile.Run([InputTensor.Create<float>("x", x, [2, 4])]);
            using var b = fromBytes.Run([InputTensor.Create<float>("x", x, [2, 4])]);

            Assert.Equal(path, fromFile.ModelName);
            Assert.Equal(b[0].ToArray<float>(), a[0].ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EverySessionOptionCombinationComputesTheSameResult()
    {
        float[] x = [0.5f, 1, -2, 3, 4, -5, 6, 0.25f];
        var expected = MatMulReference(x, 2);
        InferenceSessionOptions[] variants =
        [
            new() { IntraOpThreads = 1, InterOpThreads = 1 },
            new() { ExecutionMode = ExecutionMode.Parallel, InterOpThreads = 2 },
            new() { EnableMemoryPattern = false, EnableCpuMemoryArena = false },
            new() { GraphOptimizationLevel = GraphOptimizationLevel.DisableAll, LogId = "variant" },
            new() { GraphOptimizationLevel = GraphOptimizationLevel.Basic },
            new() { AllowSpinning = false, IntraOpThreads = 2 },
            new() { ConfigEntries = { ["session.intra_op.allow_spinning"] = "1", ["session.inter_op.allow_spinning"] = "0" }, AllowSpinning = false },
        ];

        foreach (var options in variants)
        {
            using var session = fixture.Environment.CreateSession(MatMulModel(), options);
            using var result = session.Run([InputTensor.Create<float>("x", x, [2, 4])]);
            var actual = result[0].ToArray<float>();
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], actual[i], 1e-4f);
            }
        }
    }

    [Fact]
    public void ConfigEntriesReachTheLibrary()
    {
        // Told to expect the ORT flat-buffer format, ONNX Runtime cannot load an ONNX file: proof the entry arrived.
        var ex = Assert.Throws<OnnxRuntimeException>(() => fixture.Environment.CreateSession(
            MatMulModel(), new InferenceSessionOptions { ConfigEntries = { ["session.load_model_format"] = "ORT" } }));
        Assert.NotEqual(OrtErrorCode.Ok, ex.ErrorCode);
    }

    [Fact]
    public void ConfigEntriesWithAnEmptyKeyOrANulAreRejectedBeforeTheLibraryIsCalled()
    {
        Assert.Throws<ArgumentException>(() =>
            fixture.Environment.CreateSession(MatMulModel(), new InferenceSessionOptions { ConfigEntries = { [" "] = "1" } }));
        Assert.Throws<ArgumentException>(() =>
            fixture.Environment.CreateSession(MatMulModel(), new InferenceSessionOptions { ConfigEntries = { ["session.x"] = "a\0b" } }));
    }

    [Fact]
    public void InvalidOptionsAreRejectedBeforeTheLibraryIsCalled()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            fixture.Environment.CreateSession(MatMulModel(), new InferenceSessionOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            fixture.Environment.CreateSession(MatMulModel(), new InferenceSessionOptions { GraphOptimizationLevel = (GraphOptimizationLevel)7 }));
    }

    [Fact]
    public void UnknownInputNameIsRejectedWithAMessageNamingIt()
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());

        var ex = Assert.Throws<OnnxRuntimeException>(() =>
            session.Run([InputTensor.Create<float>("images", new float[4], [1, 4])]));

        Assert.Equal(OrtErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Contains("'images'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("x: Float[-1,4]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongElementTypeIsRejectedWithAMessageNamingTheInput()
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());

        var ex = Assert.Throws<OnnxRuntimeException>(() =>
            session.Run([InputTensor.Create<long>("x", new long[4], [1, 4])]));

        Assert.Equal(OrtErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Int64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Float", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new long[] { 2, 5 }, "dimension 1 must be 4")]
    [InlineData(new long[] { 8 }, "rank 2")]
    [InlineData(new long[] { 1, 2, 4 }, "rank 2")]
    public void WrongShapeIsRejectedWithAMessageNamingTheInput(long[] shape, string reason)
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];

        var ex = Assert.Throws<OnnxRuntimeException>(() => session.Run([InputTensor.Create<float>("x", data, shape)]));

        Assert.Equal(OrtErrorCode.InvalidArgument, ex.ErrorCode);
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingAndDuplicatedInputsAreRejected()
    {
        using var session = fixture.Environment.CreateSession(AddModel());
        var a = InputTensor.Create<float>("a", new float[6], [2, 3]);

        var missing = Assert.Throws<OnnxRuntimeException>(() => session.Run([a]));
        Assert.Contains("'b' is missing", missing.Message, StringComparison.Ordinal);

        var duplicated = Assert.Throws<OnnxRuntimeException>(() => session.Run([a, a]));
        Assert.Contains("'a' is given more than once", duplicated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DataThatDoesNotFillTheShapeIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => InputTensor.Create<float>("x", new float[7], [2, 4]));
        Assert.Contains("'x' has 7 elements", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => InputTensor.Create<float>("x", Array.Empty<float>(), [-1, 4]));
        Assert.Throws<ArgumentException>(() => InputTensor.Create<double>("x", new double[4], [1, 4]));
    }

    [Fact]
    public void UnknownOutputNameIsRejected()
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());
        var ex = Assert.Throws<OnnxRuntimeException>(() =>
            session.Run([InputTensor.Create<float>("x", new float[4], [1, 4])], ["logits"]));
        Assert.Contains("'logits'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidModelBytesRaiseOnnxRuntimeException()
    {
        var ex = Assert.Throws<OnnxRuntimeException>(() => fixture.Environment.CreateSession("not an onnx model"u8));
        Assert.NotEqual(OrtErrorCode.Ok, ex.ErrorCode);
        Assert.False(string.IsNullOrEmpty(ex.NativeMessage));
    }

    [Fact]
    public void MissingModelFileRaisesNoSuchFile()
    {
        var ex = Assert.Throws<OnnxRuntimeException>(() =>
            fixture.Environment.CreateSession(Path.Combine(Path.GetTempPath(), "mlaspire-missing.onnx")));
        Assert.Equal(OrtErrorCode.NoSuchFile, ex.ErrorCode);
    }

    [Fact]
    public void NativeRunErrorsCarryOnnxRuntimesCodeAndMessage()
    {
        // Shapes the model leaves open but the operator rejects: ONNX Runtime itself fails the run.
        var model = new OnnxModelBuilder()
            .Input("a", TensorElementType.Float, [null, 3], "n")
            .Input("b", TensorElementType.Float, [null, 3], "m")
            .Output("sum", TensorElementType.Float, [null, 3])
            .Node("Add", ["a", "b"], ["sum"])
            .Build();
        using var session = fixture.Environment.CreateSession(model);

        var ex = Assert.Throws<OnnxRuntimeException>(() => session.Run([
            InputTensor.Create<float>("a", new float[6], [2, 3]),
            InputTensor.Create<float>("b", new float[9], [3, 3]),
        ]));

        Assert.NotEqual(OrtErrorCode.Ok, ex.ErrorCode);
        Assert.Contains(ex.NativeMessage, ex.Message, StringComparison.Ordinal);

        // The session is still usable after a failed run.
        using var ok = session.Run([
            InputTensor.Create<float>("a", new float[] { 1, 2, 3 }, [1, 3]),
            InputTensor.Create<float>("b", new float[] { 1, 1, 1 }, [1, 3]),
        ]);
        Assert.Equal([2f, 3f, 4f], ok[0].ToArray<float>());
    }

    [Fact]
    public void OutputsCopyIntoCallerSpansAndRejectTheWrongType()
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());
        using var result = session.Run([InputTensor.Create<float>("x", new float[] { 1, 0, 0, 0 }, [1, 4])]);
        var output = result["y"];

        Span<float> destination = stackalloc float[3];
        output.CopyTo(destination);
        Assert.Equal([0.5f, -1f, 2f], destination.ToArray());
        Assert.Equal(12, output.RawData.Length);
        Assert.Throws<InvalidOperationException>(() => output.GetData<int>().ToArray());
        Assert.Throws<ArgumentException>(() => output.CopyTo(new float[2]));
        Assert.Throws<KeyNotFoundException>(() => result["nope"]);
    }

    [Fact]
    public void ReadingAnOutputAfterItsResultIsDisposedThrows()
    {
        using var session = fixture.Environment.CreateSession(MatMulModel());
        var result = session.Run([InputTensor.Create<float>("x", new float[4], [1, 4])]);
        var output = result[0];
        result.Dispose();

        Assert.Throws<ObjectDisposedException>(() => output.ToArray<float>());
    }

    [Fact]
    public void ADisposedSessionRefusesToRun()
    {
        var session = fixture.Environment.CreateSession(MatMulModel());
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run([InputTensor.Create<float>("x", new float[4], [1, 4])]));
    }

    [Fact]
    public async Task ConcurrentRunsOnOneSessionGiveCorrectResults()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var session = fixture.Environment.CreateSession(MatMulModel());

        var tasks = Enumerable.Range(1, 8).Select(batch => Task.Run(() =>
        {
            for (var round = 0; round < 20; round++)
            {
                var x = Enumerable.Range(0, batch * 4).Select(i => (float)(i + round) / 7f).ToArray();
                using var result = session.Run([InputTensor.CreateBatch<float>("x", x, batch, [4])], cts.Token);
                var expected = MatMulReference(x, batch);
                var actual = result[0].ToArray<float>();
                for (var i = 0; i < expected.Length; i++)
                {
                    Assert.Equal(expected[i], actual[i], 1e-4f);
                }
            }
        }, cts.Token));

        await Task.WhenAll(tasks).WaitAsync(cts.Token);
    }
}
