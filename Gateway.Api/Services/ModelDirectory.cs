using System.Collections.Frozen;
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
/// for a bad name does not become a flood of gRPC calls. Submissions only need to know that a model exists: for them
/// the directory keeps the names the service last listed (refreshed in the background by
/// <see cref="ModelDirectoryRefresher"/>, and from every answer), so a known model is queued while the service restarts;
/// before the gateway has ever reached the service, the names come from the model repository's configs
/// (<see cref="GatewayOptions.ModelRepository"/>).
/// </summary>
internal sealed class ModelDirectory(
    GRPCInferenceService.GRPCInferenceServiceClient client, IMemoryCache cache, IOptions<GatewayOptions> options, TimeProvider time, ILogger<ModelDirectory> logger)
{
    private const string ListKey = "models:index";
    private readonly GatewayOptions _options = options.Value;
    private readonly Lazy<FrozenSet<string>> _configured = new(() => ReadRepository(options.Value.ModelRepository, logger));
    private volatile FrozenSet<string>? _listed;

    /// <summary>
    /// Whether submissions for <paramref name="name"/> can be queued: a model the service listed last time it was
    /// reached (or that it describes now); while it cannot be reached and never has been, one the model repository's
    /// configs name. False for a model the service does not know, or (while it cannot be reached) that it did not list
    /// last time. Throws <see cref="RpcException"/> when it cannot tell (never reached, no repository configured).
    /// </summary>
    public async Task<bool> IsKnownAsync(string name, CancellationToken cancellationToken = default)
    {
        if (_listed?.Contains(name) == true)
        {
            return true;
        }

        try
        {
            return await GetAsync(name, cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled && (_listed ?? NonEmpty(_configured.Value)) is not null)
        {
            // The service cannot say now: the names it listed last (complete when listed), else the repository's.
            var known = (_listed ?? _configured.Value).Contains(name);
            Log.ModelKnownFromCache(logger, name, known, _listed is null ? "the model repository's configs" : "the service's last list", ex.StatusCode);
            return known;
        }
    }

    /// <summary>Lists the service's models again (the background refresh); the names are kept for <see cref="IsKnownAsync"/>.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        cache.Remove(ListKey);
        await ListAsync(cancellationToken).ConfigureAwait(false);
    }

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
        _listed = list.Models.Select(m => m.Name).ToFrozenSet(StringComparer.Ordinal);
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
            if (_listed is { } listed && !listed.Contains(details.Name))
            {
                _listed = listed.Append(details.Name).ToFrozenSet(StringComparer.Ordinal);
            }
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            details = null;
        }

        cache.Set(key, details, _options.ModelCacheDuration);
        return details;
    }

    private static FrozenSet<string>? NonEmpty(FrozenSet<string> names) => names.Count > 0 ? names : null;

    /// <summary>The model names the repository's <c>&lt;model&gt;/config.json</c> files give (their <c>name</c>, else the folder's).</summary>
    private static FrozenSet<string> ReadRepository(string? path, ILogger logger)
    {
        if (string.IsNullOrEmpty(path) || !Directory.Exists(path))
        {
            return FrozenSet<string>.Empty;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var config in Directory.EnumerateFiles(path, "config.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 }))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(config));
                names.Add(document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("name", out var name)
                    && name.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(name.GetString())
                    ? name.GetString()!
                    : Path.GetFileName(Path.GetDirectoryName(config))!);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                Log.ModelConfigUnreadable(logger, ex, config);
            }
        }

        return names.ToFrozenSet(StringComparer.Ordinal);
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
