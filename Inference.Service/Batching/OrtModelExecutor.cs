using MlAspire.Inference.Service.Model;
using MlAspire.OnnxRuntime;

namespace MlAspire.Inference.Service.Batching;

/// <summary>Runs batches through one ONNX Runtime session (its Run is thread-safe, so instance loops share it).</summary>
internal sealed class OrtModelExecutor(InferenceSession session, IReadOnlyList<string> outputNames) : IModelExecutor
{
    public string ExecutionProvider => session.ExecutionProvider;

    public Task<IReadOnlyList<Tensor>> RunAsync(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        var ortInputs = new InputTensor[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            ortInputs[i] = InputTensor.CreateFromBytes(input.Name, ToElementType(input.DataType), input.Data, input.Shape);
        }

        using var result = session.Run(ortInputs, outputNames, cancellationToken);
        var outputs = new Tensor[result.Count];
        for (var i = 0; i < result.Count; i++)
        {
            var output = result[i];
            // The result's buffers go back to the pool on dispose: the caller gets its own copy.
            outputs[i] = new Tensor(output.Name, FromElementType(output.ElementType), [.. output.Shape], output.RawData.ToArray());
        }

        return Task.FromResult<IReadOnlyList<Tensor>>(outputs);
    }

    public void Dispose() => session.Dispose();

    public static TensorElementType ToElementType(TensorDataType type) => type switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.FP16 => TensorElementType.Float16,
        TensorDataType.FP32 => TensorElementType.Float,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static TensorDataType FromElementType(TensorElementType type) => type switch
    {
        TensorElementType.Bool => TensorDataType.Bool,
        TensorElementType.UInt8 => TensorDataType.UInt8,
        TensorElementType.Int8 => TensorDataType.Int8,
        TensorElementType.Int32 => TensorDataType.Int32,
        TensorElementType.Int64 => TensorDataType.Int64,
        TensorElementType.Float16 => TensorDataType.FP16,
        TensorElementType.Float => TensorDataType.FP32,
        _ => throw new InferenceException(InferenceError.Internal, $"The model produced an output of unsupported element type {type}."),
    };
}
