using System.Reflection;
using System.Text.Json;
using Grpc.Core;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Services;

/// <summary>
/// <c>inference.GRPCInferenceService</c> over the model repository and its dynamic batchers. Failures are
/// <see cref="InferenceException"/>s; <see cref="InferenceErrorInterceptor"/> turns them into gRPC statuses.
/// </summary>
internal sealed class InferenceGrpcService(ModelRepository repository) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string ServerName = "mlaspire";

    private static readonly string s_serverVersion =
        typeof(InferenceGrpcService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse
        {
            Ready = repository.IsLoaded && repository.Models.Any(m => m.Status == ModelStatus.Ready),
        });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse
        {
            Ready = Find(request.Name, request.Version, requireReady: false).Status == ModelStatus.Ready,
        });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = ServerName,
            Version = s_serverVersion,
            Extensions = { "classification", "model_repository" },
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(DescribeModel(request));

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context) =>
        Task.FromResult(IndexRepository(request));

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var served = Find(request.ModelName, request.ModelVersion, requireReady: true);
        var model = served.Definition!;
        var (inputs, rows) = InferRequestMapper.ReadInputs(request, model);
        var outputs = InferRequestMapper.ReadRequestedOutputs(request, model);
        // The call's token fires when the client cancels or the deadline passes: the batcher then drops the request.
        var results = await served.Batcher!.EnqueueAsync(inputs, rows, context.CancellationToken).ConfigureAwait(false);
        return InferRequestMapper.WriteResponse(request, model, outputs, results);
    }

    private ModelMetadataResponse DescribeModel(ModelMetadataRequest request)
    {
        var served = Find(request.Name, request.Version, requireReady: false);
        var model = served.Definition ?? throw new InferenceException(
            InferenceError.Unavailable, $"Model '{served.Name}' has no usable configuration; it failed to load.");
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

    private RepositoryIndexResponse IndexRepository(RepositoryIndexRequest request)
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
            throw new InferenceException(InferenceError.InvalidArgument, "A model name is required.");
        }

        if (!repository.TryGet(name, out var served))
        {
            throw new InferenceException(InferenceError.NotFound, repository.IsLoaded
                ? $"Model '{name}' is not in the repository."
                : $"Model '{name}' is not loaded (yet); the repository is still loading.");
        }

        if (!string.IsNullOrEmpty(version) && served.Definition is { } definition && definition.Version != version)
        {
            throw new InferenceException(InferenceError.NotFound, $"Model '{name}' has no version '{version}' (serving version {definition.Version}).");
        }

        if (requireReady && served.Status != ModelStatus.Ready)
        {
            throw new InferenceException(InferenceError.Unavailable, served.Status == ModelStatus.Loading
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
}
