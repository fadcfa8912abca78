using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using MlAspire.Inference.Protocol;

namespace MlAspire.Tests.Infrastructure;

/// <summary>
/// A small real KServe v2 gRPC service on Grpc.AspNetCore, deriving from the generated service base, for gateway- and
/// worker-only tests. What it does is set through <see cref="FakeInference"/>.
/// </summary>
internal sealed class FakeInferenceService(FakeInference state) : GRPCInferenceService.GRPCInferenceServiceBase
{
    private const string Preprocessing =
        """{"width":28,"height":28,"channels":1,"layout":"NCHW","resize":"area","scale":0.00392156862745098,"mean":[0.1307],"std":[0.3081],"invert":false}""";

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = true });

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context) =>
        Task.FromResult(new RepositoryIndexResponse
        {
            Models = { new RepositoryIndexResponse.Types.ModelIndex { Name = "digits", Version = "1", State = "READY" } },
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        if (request.Name != "digits")
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Model '{request.Name}' is not in the repository."));
        }

        var response = new ModelMetadataResponse
        {
            Name = "digits",
            Versions = { "1" },
            Platform = "onnxruntime_onnx",
            Inputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = "input", Datatype = "FP32", Shape = { -1, 1, 28, 28 } } },
            Outputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = "logits", Datatype = "FP32", Shape = { -1, 10 } } },
        };
        response.Parameters["max_batch_size"] = new InferParameter { Int64Param = state.MaxBatchSize };
        response.Parameters["state"] = new InferParameter { StringParam = "READY" };
        response.Parameters["preprocessing"] = new InferParameter { StringParam = Preprocessing };
        response.Parameters["labels"] = new InferParameter { StringParam = """["0","1","2","3","4","5","6","7","8","9"]""" };
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        state.CountCall();
        if (state.InferDelay > TimeSpan.Zero)
        {
            await Task.Delay(state.InferDelay, context.CancellationToken);
        }

        if (state.ShouldFail())
        {
            throw new RpcException(new Status(state.FailureCode, "injected failure"));
        }

        var rows = (int)request.Inputs[0].Shape[0];
        if (rows > state.MaxBatchSize || request.RawInputContents[0].Length != rows * 28 * 28 * sizeof(float))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "bad batch"));
        }

        state.BatchSizes.Enqueue(rows);
        var logits = new byte[rows * 10 * sizeof(float)];
        for (var r = 0; r < rows; r++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(logits.AsSpan(((r * 10) + 7) * sizeof(float)), 10f);
        }

        return new ModelInferResponse
        {
            ModelName = "digits",
            ModelVersion = "1",
            Outputs = { new ModelInferResponse.Types.InferOutputTensor { Name = "logits", Datatype = "FP32", Shape = { rows, 10 } } },
            RawOutputContents = { ByteString.CopyFrom(logits) },
        };
    }
}
