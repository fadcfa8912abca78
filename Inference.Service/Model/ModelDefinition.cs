namespace MlAspire.Inference.Service.Model;

/// <summary>
/// A validated model: its contract, batching and preprocessing, and where its ONNX file is. <see cref="InstanceCount"/>
/// is null where the config leaves the number of concurrent executions to the automatic plan.
/// </summary>
internal sealed record ModelDefinition(
    string Name,
    string Version,
    string Platform,
    string ModelPath,
    int MaxBatchSize,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    BatchingSpec Batching,
    int? InstanceCount,
    ExecutionProviderPreference ExecutionProvider,
    PreprocessingDocument? Preprocessing,
    IReadOnlyList<string>? Labels,
    OrtSettingsSpec OnnxRuntime)
{
    /// <summary>True when requests carry a leading batch dimension the server may concatenate along.</summary>
    public bool SupportsBatching => MaxBatchSize > 0;

    public TensorSpec? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    public TensorSpec? FindOutput(string name) => Outputs.FirstOrDefault(o => o.Name == name);
}

/// <summary>One input or output; <see cref="Dims"/> excludes the batch dimension when the model batches; -1 = any size.</summary>
internal sealed record TensorSpec(string Name, TensorDataType DataType, IReadOnlyList<long> Dims, string? LabelFile);

/// <summary>Dynamic batching; when not <see cref="Enabled"/>, each request runs as it arrives, alone.</summary>
internal sealed record BatchingSpec(bool Enabled, TimeSpan MaxQueueDelay, IReadOnlyList<int> PreferredBatchSizes, int MaxQueueSize);

/// <summary>The model's own ONNX Runtime settings; null where the config leaves them to the service-wide ones.</summary>
internal sealed record OrtSettingsSpec(int? IntraOpThreads, bool? IntraOpSpinning)
{
    public static readonly OrtSettingsSpec ServiceDefaults = new(null, null);
}

internal enum ExecutionProviderPreference
{
    Cpu,
    Gpu,
}
