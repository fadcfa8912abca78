using System.Buffers.Binary;
using Google.Protobuf;
using MlAspire.Grpc;
using MlAspire.Inference.Protocol;

namespace MlAspire.Tests.Infrastructure;

/// <summary>A small real KServe v2 gRPC service (over libs/Grpc) for gateway- and worker-only tests.</summary>
internal sealed class FakeInferenceService(FakeInference state) : IGrpcService<FakeInferenceService>
{
    private const string Preprocessing =
        """{"width":28,"height":28,"channels":1,"layout":"NCHW","resize":"area","scale":0.00392156862745098,"mean":[0.1307],"std":[0.3081],"invert":false}""";

    public static void BindService(ServiceBinder<FakeInferenceService> binder)
    {
        binder.AddUnary(InferenceMethods.ServerReady, (_, _, _) => Task.FromResult(new ServerReadyResponse { Ready = true }));
        binder.AddUnary(InferenceMethods.RepositoryIndex, (_, _, _) => Task.FromResult(new RepositoryIndexResponse
        {
            Models = { new RepositoryIndexResponse.Types.ModelIndex { Name = "digits", Version = "1", State = "READY" } },
        }));
        binder.AddUnary(InferenceMethods.ModelMetadata, (s, request, _) => Task.FromResult(s.Metadata(request)));
        binder.AddUnary(InferenceMethods.ModelInfer, (s, request, _) => Task.FromResult(s.Infer(request)));
    }

    private ModelMetadataResponse Metadata(ModelMetadataRequest request)
    {
        if (request.Name != "digits")
        {
            GrpcThrow.NotFound($"Model '{request.Name}' is not in the repository.");
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
        return response;
    }

    private ModelInferResponse Infer(ModelInferRequest request)
    {
        state.CountCall();
        if (state.ShouldFail())
        {
            GrpcThrow.Rpc<int>(state.FailureCode, "injected failure");
        }

        var rows = (int)request.Inputs[0].Shape[0];
        if (rows > state.MaxBatchSize || request.RawInputContents[0].Length != rows * 28 * 28 * sizeof(float))
        {
            GrpcThrow.InvalidArgument("bad batch");
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
