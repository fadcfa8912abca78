using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Model;
using MlAspire.Inference.Protocol;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Models as the inference service reports them (RepositoryIndex, ModelMetadata), cached for
/// <see cref="GatewayOptions.ModelCacheDuration"/>. Unknown models are cached too (as null), so a flood of requests
/// for a bad name does not become a flood of gRPC calls.
/// </summary>
internal sealed class ModelDirectory(GRPCInferenceService.GRPCInferenceServiceClient client, IMemoryCache cache, IOptions<GatewayOptions> options, TimeProvider time)
{
    private const string ListKey = "models:index";
    private readonly GatewayOptions _options = options.Value;

    public async Task<ModelList> ListAsync(CancellationToken cancellationToken = default)
    {
        if (cache.TryGetValue(ListKey, out ModelList? cached) && cached is not null)
        {
            return cached;
        }

        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), Call(cancellationToken)).ConfigureAwait(false);
        var list = new ModelList([.. index.Models.Select(m => new ModelSummary(
            m.Name, m.Version, m.State, m.State == "READY", string.IsNullOrEmpty(m.Reason) ? null : m.Reason))]);
        cache.Set(ListKey, list, _options.ModelCacheDuration);
        return list;
    }

    /// <summary>The model's metadata, or null when the service does not know it. Other failures throw <see cref="RpcException"/>.</summary>
    public async Task<ModelDetails?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = "models:" + name;
        if (cache.TryGetValue(key, out ModelDetails? cached))
        {
            return cached;
        }

        ModelDetails? details;
        try
        {
            var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = name }, Call(cancellationToken)).ConfigureAwait(false);
            details = ToDetails(metadata);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            details = null;
        }

        cache.Set(key, details, _options.ModelCacheDuration);
        return details;
    }

    private CallOptions Call(CancellationToken cancellationToken) =>
        new(deadline: time.GetUtcNow().UtcDateTime + _options.InferenceTimeout, cancellationToken: cancellationToken);

    private static ModelDetails ToDetails(ModelMetadataResponse metadata)
    {
        string? Text(string name) => metadata.Parameters.TryGetValue(name, out var p) && !string.IsNullOrEmpty(p.StringParam) ? p.StringParam : null;
        var state = Text("state") ?? "UNKNOWN";
        var maxBatch = metadata.Parameters.TryGetValue("max_batch_size", out var mb) ? (int)Math.Clamp(mb.Int64Param, 0, int.MaxValue) : 0;
        IReadOnlyList<string> labels = [];
        ModelPreprocessing? preprocessing = null;
        try
        {
            if (Text("labels") is { } json)
            {
                labels = JsonSerializer.Deserialize(json, GatewayJsonContext.Default.ListString) ?? [];
            }

            if (Text("preprocessing") is { } pre)
            {
                preprocessing = JsonSerializer.Deserialize(pre, GatewayJsonContext.Default.ModelPreprocessing);
            }
        }
        catch (JsonException)
        {
            // Shown without them rather than failing the whole answer.
        }

        return new ModelDetails(
            metadata.Name,
            [.. metadata.Versions],
            metadata.Platform,
            state,
            state == "READY",
            maxBatch,
            Text("execution_provider"),
            [.. metadata.Inputs.Select(t => new TensorInfo(t.Name, t.Datatype, [.. t.Shape]))],
            [.. metadata.Outputs.Select(t => new TensorInfo(t.Name, t.Datatype, [.. t.Shape]))],
            labels,
            preprocessing);
    }
}
