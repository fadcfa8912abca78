using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Tests;

public sealed class ModelConfigLoaderTests : IDisposable
{
    private const string ValidConfig = """
        {
          "name": "digits",
          "platform": "onnxruntime_onnx",
          "max_batch_size": 64,
          "input":  [ { "name": "input",  "data_type": "TYPE_FP32", "dims": [1, 28, 28] } ],
          "output": [ { "name": "logits", "data_type": "TYPE_FP32", "dims": [10], "label_filename": "labels.txt" } ],
          "dynamic_batching": { "max_queue_delay_us": 2000, "preferred_batch_sizes": [16, 8, 32], "max_queue_size": 1024 },
          "instance_count": 2,
          "execution_provider": "cpu",
          "preprocessing": { "width": 28, "height": 28, "channels": 1, "layout": "NCHW", "resize": "area",
                             "scale": 0.00392156862745098, "mean": [0.1307], "std": [0.3081] }
        }
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-models-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string WriteModel(string name, string config, int[]? versions = null, string? labels = "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n")
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config);
        foreach (var version in versions ?? [1])
        {
            Directory.CreateDirectory(Path.Combine(dir, version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            File.WriteAllBytes(Path.Combine(dir, version.ToString(System.Globalization.CultureInfo.InvariantCulture), "model.onnx"), [1, 2, 3]);
        }

        if (labels is not null)
        {
            File.WriteAllText(Path.Combine(dir, "labels.txt"), labels);
        }

        return dir;
    }

    private static string Load(string dir) => Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(dir)).Message;

    [Fact]
    public void LoadsAValidConfigWithTheHighestVersion()
    {
        var dir = WriteModel("digits", ValidConfig, versions: [1, 3, 2]);
        Directory.CreateDirectory(Path.Combine(dir, "7")); // a version folder without a model is ignored

        var model = ModelConfigLoader.Load(dir);

        Assert.Equal("digits", model.Name);
        Assert.Equal("3", model.Version);
        Assert.EndsWith(Path.Combine("3", "model.onnx"), model.ModelPath, StringComparison.Ordinal);
        Assert.Equal(64, model.MaxBatchSize);
        var input = Assert.Single(model.Inputs);
        Assert.Equal(TensorDataType.FP32, input.DataType);
        Assert.Equal([1L, 28, 28], input.Dims);
        Assert.True(model.Batching.Enabled);
        Assert.Equal(TimeSpan.FromMilliseconds(2), model.Batching.MaxQueueDelay);
        Assert.Equal([8, 16, 32], model.Batching.PreferredBatchSizes);
        Assert.Equal(2, model.InstanceCount);
        Assert.Equal(ExecutionProviderPreference.Cpu, model.ExecutionProvider);
        Assert.Equal(10, model.Labels!.Count);
        Assert.Equal("9", model.Labels[9]);
        Assert.Equal(0.3081, model.Preprocessing!.Std![0]);
    }

    [Fact]
    public void EveryProblemIsReportedTogether()
    {
        var config = ValidConfig
            .Replace("\"TYPE_FP32\", \"dims\": [1, 28, 28]", "\"TYPE_FLOAT\", \"dims\": [1, 0, 28]", StringComparison.Ordinal)
            .Replace("[16, 8, 32]", "[128]", StringComparison.Ordinal)
            .Replace("\"cpu\"", "\"tpu\"", StringComparison.Ordinal);
        var message = Load(WriteModel("digits", config));

        Assert.Contains("'data_type' 'TYPE_FLOAT'", message, StringComparison.Ordinal);
        Assert.Contains("'dims' [1, 0, 28]", message, StringComparison.Ordinal);
        Assert.Contains("preferred_batch_sizes' entry 128", message, StringComparison.Ordinal);
        Assert.Contains("'execution_provider' 'tpu'", message, StringComparison.Ordinal);
        Assert.StartsWith("Model 'digits':", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNameMustMatchTheFolder()
    {
        var message = Load(WriteModel("other", ValidConfig));

        Assert.Contains("'name' is 'digits' but the folder is 'other'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedJsonNamesTheProblem()
    {
        var message = Load(WriteModel("digits", "{ \"name\": \"digits\", \"max_batch_size\": \"sixty-four\" }"));

        Assert.Contains("config.json is not valid", message, StringComparison.Ordinal);
        Assert.Contains("max_batch_size", message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldsAreRejectedSoTyposDoNotPassSilently()
    {
        var message = Load(WriteModel("digits", ValidConfig.Replace("\"instance_count\"", "\"instances\"", StringComparison.Ordinal)));

        Assert.Contains("instances", message, StringComparison.Ordinal);
    }

    [Fact]
    public void InstanceCountLeftOutIsLeftToTheAutomaticPlan()
    {
        var model = ModelConfigLoader.Load(WriteModel("digits", ValidConfig.Replace("\"instance_count\": 2,", "", StringComparison.Ordinal)));

        Assert.Null(model.InstanceCount);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("33")]
    [InlineData("-4")]
    public void InstanceCountOutOfRangeIsNamed(string count)
    {
        var message = Load(WriteModel("digits", ValidConfig.Replace("\"instance_count\": 2,", $"\"instance_count\": {count},", StringComparison.Ordinal)));

        Assert.Contains($"'instance_count' {count} must be between 1 and 32 (or left out for one execution per core)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnnxRuntimeSettingsAreOptionalPerModelOverrides()
    {
        var plain = ModelConfigLoader.Load(WriteModel("digits", ValidConfig));
        Assert.Equal(OrtSettingsSpec.ServiceDefaults, plain.OnnxRuntime);

        var tuned = ModelConfigLoader.Load(WriteModel("tuned", WithOnnxRuntime("{ \"intra_op_spinning\": true }", "tuned")));
        Assert.Null(tuned.OnnxRuntime.IntraOpThreads);
        Assert.True(tuned.OnnxRuntime.IntraOpSpinning);

        var threads = ModelConfigLoader.Load(WriteModel("threads", WithOnnxRuntime("{ \"intra_op_threads\": 1, \"intra_op_spinning\": false }", "threads")));
        Assert.Equal(1, threads.OnnxRuntime.IntraOpThreads);
        Assert.False(threads.OnnxRuntime.IntraOpSpinning);
    }

    [Theory]
    [InlineData("{ \"intra_op_threads\": -1 }", "'onnxruntime.intra_op_threads' -1 must be between 0")]
    [InlineData("{ \"intra_op_threads\": 1000 }", "'onnxruntime.intra_op_threads' 1000 must be between 0")]
    [InlineData("{ \"intra_op_spinning\": \"yes\" }", "Path: $.onnxruntime.intra_op_spinning")]
    [InlineData("{ \"inter_op_threads\": 2 }", "inter_op_threads")]
    public void BadOnnxRuntimeSettingsAreNamed(string section, string expected)
    {
        var message = Load(WriteModel("digits", WithOnnxRuntime(section)));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    /// <summary><see cref="ValidConfig"/> with an <c>onnxruntime</c> section, for a model named <paramref name="name"/>.</summary>
    private static string WithOnnxRuntime(string section, string name = "digits") => ValidConfig
        .Replace("\"name\": \"digits\"", $"\"name\": \"{name}\"", StringComparison.Ordinal)
        .Replace("\"instance_count\": 2,", $"\"instance_count\": 2, \"onnxruntime\": {section},", StringComparison.Ordinal);

    [Fact]
    public void AModelFileIsRequired()
    {
        var message = Load(WriteModel("digits", ValidConfig, versions: []));

        Assert.Contains("no version folder holds model.onnx", message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelFilesMayNotEscapeTheModelFolder()
    {
        var message = Load(WriteModel("digits", ValidConfig.Replace("labels.txt", "../../etc/passwd", StringComparison.Ordinal)));

        Assert.Contains("must stay inside the model folder", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PreprocessingMustProduceWhatTheInputTakes()
    {
        var message = Load(WriteModel("digits", ValidConfig.Replace("\"layout\": \"NCHW\"", "\"layout\": \"NHWC\"", StringComparison.Ordinal)));

        Assert.Contains("produces FP32 [28, 28, 1] but input 'input' is FP32 [1, 28, 28]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void DynamicBatchingNeedsABatchDimension()
    {
        var message = Load(WriteModel("digits", ValidConfig.Replace("\"max_batch_size\": 64", "\"max_batch_size\": 0", StringComparison.Ordinal)));

        Assert.Contains("'dynamic_batching' needs 'max_batch_size' > 0", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingConfigIsAClearError()
    {
        var dir = Path.Combine(_root, "empty");
        Directory.CreateDirectory(dir);

        Assert.Equal("Model 'empty': config.json is missing.", Load(dir));
    }
}
