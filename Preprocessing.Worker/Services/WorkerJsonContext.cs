using System.Text.Json.Serialization;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>Source-generated JSON for the metadata parameters the worker reads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PreprocessingDocument))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
