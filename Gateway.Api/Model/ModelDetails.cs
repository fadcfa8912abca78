namespace MlAspire.Gateway.Api.Model;

/// <summary>A model's metadata as the inference service reports it.</summary>
internal sealed record ModelDetails(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    string State,
    bool Ready,
    int MaxBatchSize,
    string? ExecutionProvider,
    IReadOnlyList<TensorInfo> Inputs,
    IReadOnlyList<TensorInfo> Outputs,
    IReadOnlyList<string> Labels,
    ModelPreprocessing? Preprocessing);
