using MlAspire.Imaging;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>What the worker needs to know about a model, read from its ModelMetadata.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Version the service serves.</param>
/// <param name="InputName">The (single) image input.</param>
/// <param name="InputDims">Input dims without the batch dimension.</param>
/// <param name="OutputName">The (first) output, holding class scores.</param>
/// <param name="MaxBatchSize">0 when the model takes no batch dimension.</param>
/// <param name="Preprocessing">How to turn an image into the input tensor.</param>
/// <param name="Labels">Class labels by index (may be shorter than the output: missing ones are the index).</param>
internal sealed record ModelSpec(
    string Name,
    string Version,
    string InputName,
    IReadOnlyList<long> InputDims,
    string OutputName,
    int MaxBatchSize,
    PreprocessingSpec Preprocessing,
    IReadOnlyList<string> Labels)
{
    /// <summary>The most images one ModelInfer call may carry.</summary>
    public int CallBatchLimit => Math.Max(1, MaxBatchSize);

    public string Label(int index) => index < Labels.Count ? Labels[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
