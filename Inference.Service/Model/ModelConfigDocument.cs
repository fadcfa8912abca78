using System.Text.Json.Serialization;

namespace MlAspire.Inference.Service.Model;

/// <summary><c>models/&lt;name&gt;/config.json</c> as written (snake_case, Triton-like); validated into <see cref="ModelDefinition"/>.</summary>
internal sealed class ModelConfigDocument
{
    public string? Name { get; set; }
    public string? Platform { get; set; }
    public int MaxBatchSize { get; set; }
    public List<TensorConfigDocument>? Input { get; set; }
    public List<TensorConfigDocument>? Output { get; set; }
    public DynamicBatchingDocument? DynamicBatching { get; set; }
    public int? InstanceCount { get; set; }
    public string? ExecutionProvider { get; set; }
    public PreprocessingDocument? Preprocessing { get; set; }

    [JsonPropertyName("onnxruntime")]
    public OnnxRuntimeDocument? OnnxRuntime { get; set; }
}

/// <summary>Per-model ONNX Runtime settings; each one left out falls back to the service-wide <c>Inference</c> setting.</summary>
internal sealed class OnnxRuntimeDocument
{
    public int? IntraOpThreads { get; set; }
    public bool? IntraOpSpinning { get; set; }
}

internal sealed class TensorConfigDocument
{
    public string? Name { get; set; }
    public string? DataType { get; set; }
    public List<long>? Dims { get; set; }
    public string? LabelFilename { get; set; }
}

internal sealed class DynamicBatchingDocument
{
    public long? MaxQueueDelayUs { get; set; }
    public List<int>? PreferredBatchSizes { get; set; }
    public int? MaxQueueSize { get; set; }
}

internal sealed class PreprocessingDocument
{
    public int Width { get; set; }
    public int Height { get; set; }
    public int Channels { get; set; }
    public string? Layout { get; set; }
    public string? Resize { get; set; }
    public double? Scale { get; set; }
    public List<double>? Mean { get; set; }
    public List<double>? Std { get; set; }
    public bool Invert { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ModelConfigDocument))]
[JsonSerializable(typeof(PreprocessingDocument))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ModelConfigJsonContext : JsonSerializerContext;
