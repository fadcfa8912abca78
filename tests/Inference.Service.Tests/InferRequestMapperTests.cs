using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

public sealed class InferRequestMapperTests
{
    private static readonly ModelDefinition Digits = new(
        "digits", "1", "onnxruntime_onnx", "unused", 8,
        [new TensorSpec("input", TensorDataType.FP32, [1, 2, 2], null)],
        [new TensorSpec("logits", TensorDataType.FP32, [3], "labels.txt")],
        new BatchingSpec(true, TimeSpan.Zero, [], 16), 1, ExecutionProviderPreference.Cpu, null, ["zero", "one", "two"], OrtSettingsSpec.ServiceDefaults);

    private static ModelInferRequest Request(long[] shape, string datatype = "FP32", float[]? values = null, bool raw = true)
    {
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        values ??= [.. Enumerable.Range(0, count).Select(i => (float)i)];
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = datatype, Shape = { shape } };
        var request = new ModelInferRequest { ModelName = "digits", Id = "req-1", Inputs = { input } };
        if (raw)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        }
        else
        {
            input.Contents = new InferTensorContents { Fp32Contents = { values } };
        }

        return request;
    }

    private static string Invalid(ModelInferRequest request)
    {
        var ex = Assert.Throws<InferenceException>(() => InferRequestMapper.ReadInputs(request, Digits));
        Assert.Equal(InferenceError.InvalidArgument, ex.Error);
        return ex.Message;
    }

    [Fact]
    public void RawAndTypedContentsGiveTheSameTensor()
    {
        var (raw, rawRows) = InferRequestMapper.ReadInputs(Request([2, 1, 2, 2]), Digits);
        var (typed, typedRows) = InferRequestMapper.ReadInputs(Request([2, 1, 2, 2], raw: false), Digits);

        Assert.Equal(2, rawRows);
        Assert.Equal(2, typedRows);
        Assert.Equal(raw[0].Data.ToArray(), typed[0].Data.ToArray());
        Assert.Equal([2L, 1, 2, 2], raw[0].Shape);
    }

    [Fact]
    public void AnUnknownInputIsNamed()
    {
        var request = Request([1, 1, 2, 2]);
        request.Inputs[0].Name = "image";

        Assert.Equal("Input 'image' is not an input of model 'digits' (inputs: input).", Invalid(request));
    }

    [Fact]
    public void AWrongDatatypeIsNamed() =>
        Assert.Contains("input 'input' has datatype 'INT32' but the model expects FP32", Invalid(Request([1, 1, 2, 2], "INT32")), StringComparison.OrdinalIgnoreCase);

    [Theory]
    [InlineData(new long[] { 1, 2, 2 }, "expects [batch, 1, 2, 2]")]
    [InlineData(new long[] { 1, 1, 3, 2 }, "expects [batch, 1, 2, 2]")]
    [InlineData(new long[] { 9, 1, 2, 2 }, "batch size 9; model 'digits' accepts 1 to 8")]
    public void AWrongShapeIsNamed(long[] shape, string expected)
    {
        var message = Invalid(Request(shape, values: new float[Math.Max(1, (int)shape.Aggregate(1L, (a, b) => a * b))]));

        Assert.Contains("input 'input'", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void RawContentOfTheWrongLengthIsRejected()
    {
        var request = Request([1, 1, 2, 2], values: [1, 2, 3]);

        Assert.Contains("raw content has 12 bytes but shape [1, 1, 2, 2] of FP32 needs 16", Invalid(request), StringComparison.Ordinal);
    }

    [Fact]
    public void TypedContentOfTheWrongCountIsRejected()
    {
        var request = Request([1, 1, 2, 2], values: [1, 2, 3], raw: false);

        Assert.Contains("has 3 values in its contents but its shape holds 4", Invalid(request), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingInputIsNamed()
    {
        var request = new ModelInferRequest { ModelName = "digits" };

        Assert.Contains("Input 'input' is missing", Invalid(request), StringComparison.Ordinal);
    }

    [Fact]
    public void RawContentsMustMatchInputsOneToOne()
    {
        var request = Request([1, 1, 2, 2]);
        request.RawInputContents.Add(ByteString.CopyFrom(1, 2));

        Assert.Contains("raw_input_contents has 2 entries but there are 1 inputs", Invalid(request), StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownRequestedOutputIsNamed()
    {
        var request = Request([1, 1, 2, 2]);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probs" });

        var ex = Assert.Throws<InferenceException>(() => InferRequestMapper.ReadRequestedOutputs(request, Digits));
        Assert.Equal("Output 'probs' is not an output of model 'digits' (outputs: logits).", ex.Message);
    }

    [Fact]
    public void RawOutputsCarryShapeDatatypeAndTheRequestId()
    {
        var request = Request([2, 1, 2, 2]);
        float[] logits = [0.1f, 0.7f, 0.2f, 3f, 1f, 2f];
        var outputs = new[] { new Tensor("logits", TensorDataType.FP32, [2, 3], MemoryMarshal.AsBytes(logits.AsSpan()).ToArray()) };

        var response = InferRequestMapper.WriteResponse(request, Digits, InferRequestMapper.ReadRequestedOutputs(request, Digits), outputs);

        Assert.Equal("req-1", response.Id);
        Assert.Equal("1", response.ModelVersion);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("FP32", output.Datatype);
        Assert.Equal([2L, 3], output.Shape);
        Assert.Equal(logits, MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
    }

    [Fact]
    public void ClassificationReturnsTopKWithLabelsAsTritonDoes()
    {
        var request = Request([2, 1, 2, 2]);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor
        {
            Name = "logits",
            Parameters = { ["classification"] = new InferParameter { Int64Param = 2 } },
        });
        float[] logits = [0.1f, 0.7f, 0.2f, 3f, 1f, 2f];
        var outputs = new[] { new Tensor("logits", TensorDataType.FP32, [2, 3], MemoryMarshal.AsBytes(logits.AsSpan()).ToArray()) };

        var response = InferRequestMapper.WriteResponse(request, Digits, InferRequestMapper.ReadRequestedOutputs(request, Digits), outputs);

        var output = Assert.Single(response.Outputs);
        Assert.Equal("BYTES", output.Datatype);
        Assert.Equal([2L, 2], output.Shape);
        Assert.Equal(["0.7:1:one", "0.2:2:two", "3:0:zero", "2:2:two"], ReadBytesTensor(response.RawOutputContents[0].ToByteArray()));
    }

    [Fact]
    public void ClassificationCountMustBeAPositiveInteger()
    {
        var request = Request([1, 1, 2, 2]);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor
        {
            Name = "logits",
            Parameters = { ["classification"] = new InferParameter { StringParam = "three" } },
        });

        var ex = Assert.Throws<InferenceException>(() => InferRequestMapper.ReadRequestedOutputs(request, Digits));
        Assert.Contains("'classification' must be an integer", ex.Message, StringComparison.Ordinal);
    }

    private static List<string> ReadBytesTensor(byte[] raw)
    {
        var result = new List<string>();
        for (var offset = 0; offset < raw.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(offset));
            result.Add(Encoding.UTF8.GetString(raw, offset + 4, length));
            offset += 4 + length;
        }

        return result;
    }
}
