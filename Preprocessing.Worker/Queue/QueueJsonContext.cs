using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlAspire.Queue;

/// <summary>Source-generated JSON for what the worker stores in a job hash's <c>result</c> field.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JobResult))]
internal sealed partial class QueueJsonContext : JsonSerializerContext;
