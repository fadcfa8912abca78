using MlAspire.Grpc;

namespace MlAspire.Inference.Protocol;

/// <summary>
/// The methods of <c>inference.GRPCInferenceService</c> (KServe v2 / Open Inference Protocol, plus Triton's
/// RepositoryIndex). Clients compile this file together with <c>grpc_predict_v2.proto</c>.
/// </summary>
internal static class InferenceMethods
{
    public const string ServiceName = "inference.GRPCInferenceService";

    public static readonly Method<ServerLiveRequest, ServerLiveResponse> ServerLive =
        new(MethodType.Unary, ServiceName, "ServerLive", ServerLiveRequest.Parser, ServerLiveResponse.Parser);

    public static readonly Method<ServerReadyRequest, ServerReadyResponse> ServerReady =
        new(MethodType.Unary, ServiceName, "ServerReady", ServerReadyRequest.Parser, ServerReadyResponse.Parser);

    public static readonly Method<ModelReadyRequest, ModelReadyResponse> ModelReady =
        new(MethodType.Unary, ServiceName, "ModelReady", ModelReadyRequest.Parser, ModelReadyResponse.Parser);

    public static readonly Method<ServerMetadataRequest, ServerMetadataResponse> ServerMetadata =
        new(MethodType.Unary, ServiceName, "ServerMetadata", ServerMetadataRequest.Parser, ServerMetadataResponse.Parser);

    public static readonly Method<ModelMetadataRequest, ModelMetadataResponse> ModelMetadata =
        new(MethodType.Unary, ServiceName, "ModelMetadata", ModelMetadataRequest.Parser, ModelMetadataResponse.Parser);

    public static readonly Method<ModelInferRequest, ModelInferResponse> ModelInfer =
        new(MethodType.Unary, ServiceName, "ModelInfer", ModelInferRequest.Parser, ModelInferResponse.Parser);

    public static readonly Method<RepositoryIndexRequest, RepositoryIndexResponse> RepositoryIndex =
        new(MethodType.Unary, ServiceName, "RepositoryIndex", RepositoryIndexRequest.Parser, RepositoryIndexResponse.Parser);
}
