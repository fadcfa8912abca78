using System.Text.Json.Serialization;
using MlAspire.Gateway.Api.Model;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Source-generated JSON for the inference service's metadata parameters (snake_case).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelPreprocessing))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
