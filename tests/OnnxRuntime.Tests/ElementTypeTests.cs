namespace MlAspire.OnnxRuntime.Tests;

[Collection(OrtCollection.Name)]
public sealed class ElementTypeTests(OrtFixture fixture)
{
    private InferenceSession IdentitySession(TensorElementType type) => fixture.Environment.CreateSession(
        new OnnxModelBuilder()
            .Input("in", type, [null, 3])
            .Output("out", type, [null, 3])
            .Node("Identity", ["in"], ["out"])
            .Build());

    private void AssertRoundTrips<T>(T[] values)
        where T : unmanaged
    {
        var type = TensorElementTypes.Of<T>();
        using var session = IdentitySession(type);

        using var result = session.Run([InputTensor.CreateBatch<T>("in", values, values.Length / 3, [3])]);

        var output = result["out"];
        Assert.Equal(type, output.ElementType);
        Assert.Equal([(long)(values.Length / 3), 3L], output.Shape);
        Assert.Equal(values, output.ToArray<T>());
    }

    [Fact]
    public void Float32RoundTripsThroughIdentity() =>
        AssertRoundTrips(new[] { 0f, -1.5f, float.MaxValue, float.Epsilon, 3.25f, -0f });

    [Fact]
    public void Float16RoundTripsThroughIdentity() =>
        AssertRoundTrips(new[] { (Half)0.5f, (Half)(-2f), Half.MaxValue, Half.Epsilon, (Half)1000f, (Half)(-0.125f) });

    [Fact]
    public void UInt8RoundTripsThroughIdentity() => AssertRoundTrips(new byte[] { 0, 1, 127, 128, 254, 255 });

    [Fact]
    public void Int8RoundTripsThroughIdentity() => AssertRoundTrips(new sbyte[] { -128, -1, 0, 1, 100, 127 });

    [Fact]
    public void Int32RoundTripsThroughIdentity() =>
        AssertRoundTrips(new[] { int.MinValue, -1, 0, 1, 123456789, int.MaxValue });

    [Fact]
    public void Int64RoundTripsThroughIdentity() =>
        AssertRoundTrips(new[] { long.MinValue, -1L, 0L, 1L, 1L << 40, long.MaxValue });

    [Fact]
    public void BoolRoundTripsThroughIdentity() => AssertRoundTrips(new[] { true, false, false, true, true, false });

    [Fact]
    public void CastFromFloatToFloat16MatchesDotNetRounding()
    {
        var model = new OnnxModelBuilder()
            .Input("x", TensorElementType.Float, [4])
            .Output("h", TensorElementType.Float16, [4])
            .Node("Cast", ["x"], ["h"], OnnxModelBuilder.IntAttribute("to", (long)TensorElementType.Float16))
            .Build();
        float[] x = [0.1f, -3.14159f, 65504f, 1e-5f];
        using var session = fixture.Environment.CreateSession(model);

        using var result = session.Run([InputTensor.Create<float>("x", x, [4])]);

        Assert.Equal(x.Select(v => (Half)v).ToArray(), result[0].GetData<Half>().ToArray());
    }

    [Fact]
    public void CastFromUInt8ToFloatAndInt32ToInt64KeepValues()
    {
        var model = new OnnxModelBuilder()
            .Input("pixels", TensorElementType.UInt8, [3])
            .Input("ids", TensorElementType.Int32, [3])
            .Output("floats", TensorElementType.Float, [3])
            .Output("longs", TensorElementType.Int64, [3])
            .Node("Cast", ["pixels"], ["floats"], OnnxModelBuilder.IntAttribute("to", (long)TensorElementType.Float))
            .Node("Cast", ["ids"], ["longs"], OnnxModelBuilder.IntAttribute("to", (long)TensorElementType.Int64))
            .Build();
        using var session = fixture.Environment.CreateSession(model);

        using var result = session.Run([
            InputTensor.Create<byte>("pixels", new byte[] { 0, 128, 255 }, [3]),
            InputTensor.Create<int>("ids", new[] { -7, 0, int.MaxValue }, [3]),
        ]);

        Assert.Equal([0f, 128f, 255f], result["floats"].ToArray<float>());
        Assert.Equal([-7L, 0L, int.MaxValue], result["longs"].ToArray<long>());
    }

    [Fact]
    public void InputsOverASliceOfALargerBufferAreReadInPlace()
    {
        using var session = IdentitySession(TensorElementType.Float);
        var buffer = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();

        using var result = session.Run([InputTensor.Create<float>("in", buffer.AsMemory(3, 6), [2, 3])]);

        Assert.Equal([3f, 4f, 5f, 6f, 7f, 8f], result[0].ToArray<float>());
    }

    [Fact]
    public void EmptyBatchRunsAndReturnsAnEmptyOutput()
    {
        using var session = IdentitySession(TensorElementType.Float);

        using var result = session.Run([InputTensor.Create<float>("in", Array.Empty<float>(), [0, 3])]);

        Assert.Equal([0L, 3L], result[0].Shape);
        Assert.Equal(0, result[0].ElementCount);
    }
}
