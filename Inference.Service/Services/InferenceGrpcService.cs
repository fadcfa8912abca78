using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using MlAspire.Grpc;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Services;

/// <summary><c>inference.GRPCInferenceService</c> over the model repository and its dynamic batchers.</summary>
internal sealed class InferenceGrpcService(ModelRepository repository) : IGrpcService<InferenceGrpcService>
{
    public const string ServerName = "mlaspire";

    private static readonly string s_serverVersion =
        typeof(InferenceGrpcService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static void BindService(ServiceBinder<InferenceGrpcService> binder)
    {
        binder.AddUnary(InferenceMethods.ServerLive, (s, _, _) => Task.FromResult(new ServerLiveResponse { Live = true }));
        binder.AddUnary(InferenceMethods.ServerReady, (s, _, _) => Task.FromResult(s.ServerReady()));
        binder.AddUnary(InferenceMethods.ModelReady, (s, request, _) => Task.FromResult(s.ModelReady(request)));
        binder.AddUnary(InferenceMethods.ServerMetadata, (s, _, _) => Task.FromResult(ServerMetadata()));
        binder.AddUnary(InferenceMethods.ModelMetadata, (s, request, _) => Task.FromResult(s.ModelMetadata(request)));
        binder.AddUnary(InferenceMethods.ModelInfer, (s, request, context) => s.ModelInferAsync(request, context));
        binder.AddUnary(InferenceMethods.RepositoryIndex, (s, request, _) => Task.FromResult(s.RepositoryIndex(request)));
    }

    private ServerReadyResponse ServerReady() => new()
    {
        Ready = repository.IsLoaded && repository.Models.Any(m => m.Status == ModelStatus.Ready),
    };

    private ModelReadyResponse ModelReady(ModelReadyRequest request)
    {
        var model = Find(request.Name, request.Version, requireReady: false);
        return new ModelReadyResponse { Ready = model.Status == ModelStatus.Ready };
    }

    private static ServerMetadataResponse ServerMetadata() => new()
    {
        Name = ServerName,
        Version = s_serverVersion,
        Extensions = { "classification", "model_repository" },
    };

    private ModelMetadataResponse ModelMetadata(ModelMetadataRequest request)
    {
        var served = Find(request.Name, request.Version, requireReady: false);
        var model = served.Definition ?? Throw<ModelDefinition>(
            StatusCode.Unavailable, $"Model '{served.Name}' has no usable configuration; it failed to load.");
        var response = new ModelMetadataResponse { Name = model.Name, Versions = { model.Version }, Platform = model.Platform };
        foreach (var input in model.Inputs)
        {
            response.Inputs.Add(Metadata(input, model));
        }

        foreach (var output in model.Outputs)
        {
            response.Outputs.Add(Metadata(output, model));
        }

        response.Parameters["max_batch_size"] = new InferParameter { Int64Param = model.MaxBatchSize };
        response.Parameters["state"] = new InferParameter { StringParam = State(served.Status) };
        if (served.ExecutionProvider is { } provider)
        {
            response.Parameters["execution_provider"] = new InferParameter { StringParam = provider };
        }

        if (model.Preprocessing is { } preprocessing)
        {
            response.Parameters["preprocessing"] = new InferParameter
            {
                StringParam = JsonSerializer.Serialize(preprocessing, ModelConfigJsonContext.Default.PreprocessingDocument),
            };
        }

        if (model.Labels is { } labels)
        {
            response.Parameters["labels"] = new InferParameter
            {
                StringParam = JsonSerializer.Serialize(labels.ToList(), ModelConfigJsonContext.Default.ListString),
            };
        }

        return response;
    }

    private async Task<ModelInferResponse> ModelInferAsync(ModelInferRequest request, ServerCallContext context)
    {
        var served = Find(request.ModelName, request.ModelVersion, requireReady: true);
        var model = served.Definition!;
        try
        {
            var (inputs, rows) = InferRequestMapper.ReadInputs(request, model);
            var outputs = InferRequestMapper.ReadRequestedOutputs(request, model);
            if (context.Deadline <= DateTime.UtcNow)
            {
                Throw<int>(StatusCode.DeadlineExceeded, "The deadline passed before the request could run.");
            }

            var results = await served.Batcher!.EnqueueAsync(inputs, rows, context.CancellationToken).ConfigureAwait(false);
            return InferRequestMapper.WriteResponse(request, model, outputs, results);
        }
        catch (InferenceException ex)
        {
            return Throw<ModelInferResponse>(ToStatus(ex.Error), ex.Message);
        }
    }

    private RepositoryIndexResponse RepositoryIndex(RepositoryIndexRequest request)
    {
        var response = new RepositoryIndexResponse();
        foreach (var model in repository.Models.Where(m => !request.Ready || m.Status == ModelStatus.Ready))
        {
            response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
            {
                Name = model.Name,
                Version = model.Definition?.Version ?? "",
                State = State(model.Status),
                Reason = model.Status == ModelStatus.Failed ? "failed to load; see the inference service log" : "",
            });
        }

        return response;
    }

    private ServedModel Find(string name, string version, bool requireReady)
    {
        if (string.IsNullOrEmpty(name))
        {
            GrpcThrow.InvalidArgument("A model name is required.");
        }

        if (!repository.TryGet(name, out var served))
        {
            GrpcThrow.NotFound(repository.IsLoaded
                ? $"Model '{name}' is not in the repository."
                : $"Model '{name}' is not loaded (yet); the repository is still loading.");
        }

        if (!string.IsNullOrEmpty(version) && served.Definition is { } definition && definition.Version != version)
        {
            GrpcThrow.NotFound($"Model '{name}' has no version '{version}' (serving version {definition.Version}).");
        }

        if (requireReady && served.Status != ModelStatus.Ready)
        {
            GrpcThrow.Unavailable(served.Status == ModelStatus.Loading
                ? $"Model '{name}' is loading; retry shortly."
                : $"Model '{name}' failed to load and cannot serve; see the inference service log.");
        }

        return served;
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorSpec spec, ModelDefinition model)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = TensorDataTypes.ToWireName(spec.DataType) };
        if (model.SupportsBatching)
        {
            metadata.Shape.Add(-1);
        }

        metadata.Shape.Add(spec.Dims);
        return metadata;
    }

    private static string State(ModelStatus status) => status switch
    {
        ModelStatus.Ready => "READY",
        ModelStatus.Loading => "LOADING",
        _ => "UNAVAILABLE",
    };

    private static StatusCode ToStatus(InferenceError error) => error switch
    {
        InferenceError.InvalidArgument => StatusCode.InvalidArgument,
        InferenceError.NotFound => StatusCode.NotFound,
        InferenceError.Unavailable => StatusCode.Unavailable,
        InferenceError.ResourceExhausted => StatusCode.ResourceExhausted,
        InferenceError.DeadlineExceeded => StatusCode.DeadlineExceeded,
        InferenceError.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    [DoesNotReturn]
    private static T Throw<T>(StatusCode code, string detail) => GrpcThrow.Rpc<T>(code, detail);
}
