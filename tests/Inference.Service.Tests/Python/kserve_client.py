"""A KServe v2 client made only of what grpcio and protoc give a user: stubs generated from the
specification's proto, no MlAspire code. Used by the C# tests to prove wire compatibility.

usage: kserve_client.py STUBS_DIR HOST:PORT HELDOUT_F32 COUNT
prints: META <input name> <datatype> <shape...>
        OUT <index> <raw output bytes as hex>     (one line per held-out image, sent one at a time)
        ERR <status code name> <details>          (for a request naming an unknown model)
"""
import sys

stubs, address, heldout, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, stubs)

import grpc  # noqa: E402
import grpc_predict_v2_pb2 as pb  # noqa: E402
import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402

IMAGE_BYTES = 28 * 28 * 4

with grpc.insecure_channel(address) as channel:
    stub = pb_grpc.GRPCInferenceServiceStub(channel)
    meta = stub.ModelMetadata(pb.ModelMetadataRequest(name="digits"), timeout=10)
    tensor = meta.inputs[0]
    print("META", tensor.name, tensor.datatype, *tensor.shape, flush=True)

    with open(heldout, "rb") as f:
        data = f.read()
    for i in range(count):
        request = pb.ModelInferRequest(
            model_name="digits",
            inputs=[pb.ModelInferRequest.InferInputTensor(name="input", datatype="FP32", shape=[1, 1, 28, 28])],
            raw_input_contents=[data[i * IMAGE_BYTES:(i + 1) * IMAGE_BYTES]],
        )
        response = stub.ModelInfer(request, timeout=10)
        print("OUT", i, response.raw_output_contents[0].hex(), flush=True)

    try:
        stub.ModelInfer(pb.ModelInferRequest(model_name="no-such-model"), timeout=10)
        print("ERR none", flush=True)
    except grpc.RpcError as error:
        print("ERR", error.code().name, error.details(), flush=True)
