namespace MlAspire.Gateway.Api.Model;

/// <summary>A model input or output: name, KServe datatype and shape (-1 = the batch dimension).</summary>
internal sealed record TensorInfo(string Name, string Datatype, IReadOnlyList<long> Shape);
