using System.Collections.Concurrent;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlAspire.Imaging;
using MlAspire.Inference.Protocol;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>Model metadata from the inference service, turned into <see cref="ModelSpec"/>s and cached per model.</summary>
internal sealed class ModelCatalog(GRPCInferenceService.GRPCInferenceServiceClient client, IOptions<WorkerOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (ModelSpec Spec, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The model's spec. Throws <see cref="RpcException"/> when the service cannot answer (NOT_FOUND for an unknown
    /// model) and <see cref="ModelSpecException"/> when the model cannot take images.
    /// </summary>
    public async Task<ModelSpec> GetAsync(string model, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(model, out var cached) && cached.Expires > now)
        {
            return cached.Spec;
        }

        var metadata = await client.ModelMetadataAsync(
            new ModelMetadataRequest { Name = model },
            deadline: (now + options.Value.InferenceTimeout).UtcDateTime,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var spec = ToSpec(metadata);
        _cache[model] = (spec, now + options.Value.MetadataCacheDuration);
        return spec;
    }

    /// <summary>Forgets a model (after the service said it changed or vanished).</summary>
    public void Invalidate(string model) => _cache.TryRemove(model, out _);

    internal static ModelSpec ToSpec(ModelMetadataResponse metadata)
    {
        var maxBatch = metadata.Parameters.TryGetValue("max_batch_size", out var mb) ? (int)Math.Clamp(mb.Int64Param, 0, 4096) : 0;
        if (metadata.Inputs.Count != 1)
        {
            throw new ModelSpecException($"Model '{metadata.Name}' has {metadata.Inputs.Count} inputs; image models have one.");
        }

        var input = metadata.Inputs[0];
        if (input.Datatype != "FP32")
        {
            throw new ModelSpecException($"Model '{metadata.Name}' input '{input.Name}' is {input.Datatype}; only FP32 is supported.");
        }

        if (metadata.Outputs.Count == 0)
        {
            throw new ModelSpecException($"Model '{metadata.Name}' has no outputs.");
        }

        var dims = (maxBatch > 0 ? input.Shape.Skip(1) : input.Shape).ToArray();
        if (!metadata.Parameters.TryGetValue("preprocessing", out var pre) || string.IsNullOrEmpty(pre.StringParam))
        {
            throw new ModelSpecException($"Model '{metadata.Name}' declares no preprocessing; it cannot take images.");
        }

        PreprocessingSpec spec;
        try
        {
            var doc = JsonSerializer.Deserialize(pre.StringParam, WorkerJsonContext.Default.PreprocessingDocument)
                ?? throw new ModelSpecException($"Model '{metadata.Name}' has an empty preprocessing block.");
            spec = new PreprocessingSpec
            {
                Width = doc.Width,
                Height = doc.Height,
                Channels = doc.Channels,
                Layout = PreprocessingSpec.ParseLayout(doc.Layout ?? "NCHW"),
                Resize = PreprocessingSpec.ParseResize(doc.Resize ?? "area"),
                Scale = (float)(doc.Scale ?? 1.0 / 255.0),
                Mean = (doc.Mean ?? [.. Enumerable.Repeat(0.0, doc.Channels)]).Select(v => (float)v).ToArray(),
                Std = (doc.Std ?? [.. Enumerable.Repeat(1.0, doc.Channels)]).Select(v => (float)v).ToArray(),
                Invert = doc.Invert,
            };
            spec.Validate();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new ModelSpecException($"Model '{metadata.Name}' has an unusable preprocessing block: {ex.Message}", ex);
        }

        long elements = 1;
        foreach (var d in dims)
        {
            elements *= d;
        }

        if (elements != spec.TensorLength)
        {
            throw new ModelSpecException(
                $"Model '{metadata.Name}' input '{input.Name}' has {elements} elements per image but preprocessing makes {spec.TensorLength}.");
        }

        IReadOnlyList<string> labels = [];
        if (metadata.Parameters.TryGetValue("labels", out var l) && !string.IsNullOrEmpty(l.StringParam))
        {
            try
            {
                labels = JsonSerializer.Deserialize(l.StringParam, WorkerJsonContext.Default.ListString) ?? [];
            }
            catch (JsonException ex)
            {
                throw new ModelSpecException($"Model '{metadata.Name}' has malformed labels.", ex);
            }
        }

        return new ModelSpec(
            metadata.Name,
            metadata.Versions.FirstOrDefault() ?? "",
            input.Name,
            dims,
            metadata.Outputs[0].Name,
            maxBatch,
            spec,
            labels);
    }
}
