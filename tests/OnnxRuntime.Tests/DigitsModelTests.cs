using MlAspire.Tests.Shared;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MlAspire.OnnxRuntime.Tests;

/// <summary>The demo model in models/digits, with the held-out digits models/train_digits.py wrote.</summary>
[Collection(OrtCollection.Name)]
public sealed class DigitsModelTests(OrtFixture fixture)
{
    private const int Pixels = 28 * 28;
    private static readonly string s_modelDir = Path.Combine(RepoRoot.Find(), "models", "digits");

    private static (float[] Images, byte[] Labels) HeldOut()
    {
        var bytes = File.ReadAllBytes(Path.Combine(s_modelDir, "testdata", "heldout.f32"));
        var labels = File.ReadAllBytes(Path.Combine(s_modelDir, "testdata", "heldout.labels"));
        Assert.Equal(labels.Length * Pixels * sizeof(float), bytes.Length);
        Assert.True(BitConverter.IsLittleEndian);
        return (MemoryMarshal.Cast<byte, float>(bytes).ToArray(), labels);
    }

    private InferenceSession Open() => fixture.Environment.CreateSession(Path.Combine(s_modelDir, "1", "model.onnx"));

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    [Fact]
    public void TheModelHasTheInputsAndOutputsItsConfigDeclares()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_modelDir, "config.json")));
        var root = config.RootElement;
        using var session = Open();

        var input = root.GetProperty("input")[0];
        var output = root.GetProperty("output")[0];
        Assert.Equal(input.GetProperty("name").GetString(), Assert.Single(session.Inputs).Name);
        Assert.Equal(output.GetProperty("name").GetString(), Assert.Single(session.Outputs).Name);
        Assert.Equal(TensorElementType.Float, session.Inputs[0].ElementType);
        Assert.Equal([-1L, 1L, 28L, 28L], session.Inputs[0].Dimensions);
        Assert.Equal([-1L, 10L], session.Outputs[0].Dimensions);
        Assert.Equal(
            input.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()),
            session.Inputs[0].Dimensions.Skip(1));
        var labels = File.ReadAllLines(Path.Combine(s_modelDir, output.GetProperty("label_filename").GetString()!));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), labels);
        Assert.True(new FileInfo(Path.Combine(s_modelDir, "1", "model.onnx")).Length < 1024 * 1024);
    }

    [Fact]
    public void HeldOutAccuracyIsAtLeast97Percent()
    {
        var (images, labels) = HeldOut();
        using var session = Open();

        using var result = session.Run([InputTensor.CreateBatch<float>("input", images, labels.Length, [1, 28, 28])]);

        var logits = result["logits"];
        Assert.Equal([(long)labels.Length, 10L], logits.Shape);
        var data = logits.GetData<float>();
        var correct = 0;
        for (var n = 0; n < labels.Length; n++)
        {
            if (ArgMax(data.Slice(n * 10, 10)) == labels[n])
            {
                correct++;
            }
        }

        var accuracy = (double)correct / labels.Length;
        Assert.True(accuracy >= 0.97, $"held-out accuracy {accuracy:P2} ({correct}/{labels.Length}) is below 97%");
    }

    [Fact]
    public void BatchedAndSingleRunsGiveIdenticalLogits()
    {
        var (images, labels) = HeldOut();
        const int count = 64;
        using var session = Open();

        using var batched = session.Run([InputTensor.CreateBatch<float>("input", images.AsMemory(0, count * Pixels), count, [1, 28, 28])]);

        var all = batched[0].GetData<float>();
        for (var n = 0; n < count; n++)
        {
            using var single = session.Run([InputTensor.CreateBatch<float>("input", images.AsMemory(n * Pixels, Pixels), 1, [1, 28, 28])]);
            Assert.Equal(all.Slice(n * 10, 10).ToArray(), single[0].ToArray<float>());
        }

        Assert.Equal(labels.Length * Pixels, images.Length);
    }
}
