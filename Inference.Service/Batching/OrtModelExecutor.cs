using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using MlAspire.Inference.Service.Model;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// Runs batches through one ONNX Runtime <see cref="InferenceSession"/> (its Run is thread-safe, so instance loops
/// share it). Inputs are handed to ONNX Runtime in place: each tensor's bytes (the request's own buffer, or the
/// batcher's pooled concatenation) are pinned for the run and wrapped by an <see cref="OrtValue"/>, never copied.
/// Outputs whose shape is known before the run (every dimension past the batch one fixed) are written by ONNX Runtime
/// straight into the array the response carries; only an output of dynamic shape is copied once out of ONNX
/// Runtime's own buffer.
/// </summary>
internal sealed class OrtModelExecutor : IModelExecutor
{
    public const string CpuExecutionProvider = "CPUExecutionProvider";
    public const string CudaExecutionProvider = "CUDAExecutionProvider";

    // Stands in for the data of an empty tensor: ONNX Runtime wants a non-null pointer even for zero bytes.
    private static readonly byte[] s_empty = GC.AllocateArray<byte>(1, pinned: true);

    private readonly InferenceSession _session;
    private readonly string[] _outputNames;
    private readonly TensorDataType[] _outputTypes;
    private readonly long[]?[] _outputDims;
    private readonly bool _batching;

    public OrtModelExecutor(InferenceSession session, string executionProvider, ModelDefinition model)
    {
        _session = session;
        ExecutionProvider = executionProvider;
        _batching = model.SupportsBatching;
        _outputNames = [.. model.Outputs.Select(o => o.Name)];
        _outputTypes = [.. model.Outputs.Select(o => o.DataType)];
        _outputDims = [.. model.Outputs.Select(o => session.OutputMetadata.TryGetValue(o.Name, out var m) ? KnownDims(m, _batching) : null)];
    }

    public string ExecutionProvider { get; }

    /// <summary>The session, for its input and output metadata.</summary>
    public InferenceSession Session => _session;

    public Task<IReadOnlyList<Tensor>> RunAsync(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = new string[inputs.Count];
        var values = new OrtValue[inputs.Count];
        var pins = new MemoryHandle[inputs.Count];
        var created = 0;
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                names[i] = input.Name;
                pins[i] = MemoryMarshal.AsMemory(input.Data).Pin();
                values[i] = Wrap(input.DataType, input.Shape, pins[i], input.Data.Length);
                created++;
            }

            var rows = _batching && inputs.Count > 0 ? inputs[0].Shape[0] : 0;
            var outputs = new Tensor[_outputNames.Length];
            using var runOptions = new RunOptions();
            // Terminate makes ONNX Runtime stop before its next node; the run then fails and is reported as cancelled.
            using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions);
            try
            {
                if (Array.TrueForAll(_outputDims, d => d is not null))
                {
                    RunIntoResponseArrays(runOptions, names, values, rows, outputs);
                }
                else
                {
                    RunAndCopyOut(runOptions, names, values, outputs);
                }
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The inference run was cancelled.", cancellationToken);
            }

            return Task.FromResult<IReadOnlyList<Tensor>>(outputs);
        }
        finally
        {
            // Each value before the pin of the memory it points into.
            for (var i = 0; i < created; i++)
            {
                values[i].Dispose();
                pins[i].Dispose();
            }
        }
    }

    private void RunIntoResponseArrays(RunOptions runOptions, string[] names, OrtValue[] values, long rows, Tensor[] outputs)
    {
        var pins = new MemoryHandle[outputs.Length];
        var outputValues = new OrtValue?[outputs.Length];
        try
        {
            for (var o = 0; o < outputs.Length; o++)
            {
                var dims = _outputDims[o]!;
                long[] shape = _batching ? [rows, .. dims] : [.. dims];
                var bytes = checked((int)(Tensor.ElementCount(shape) * TensorDataTypes.SizeOf(_outputTypes[o])));
                var data = GC.AllocateUninitializedArray<byte>(bytes);
                pins[o] = data.AsMemory().Pin();
                outputValues[o] = Wrap(_outputTypes[o], shape, pins[o], bytes);
                outputs[o] = new Tensor(_outputNames[o], _outputTypes[o], shape, data);
            }

            _session.Run(runOptions, names, values, _outputNames, outputValues!);
        }
        finally
        {
            for (var o = 0; o < outputs.Length; o++)
            {
                outputValues[o]?.Dispose();
                pins[o].Dispose();
            }
        }
    }

    private void RunAndCopyOut(RunOptions runOptions, string[] names, OrtValue[] values, Tensor[] outputs)
    {
        using var results = _session.Run(runOptions, names, values, _outputNames);
        var o = 0;
        foreach (var result in results)
        {
            var info = result.GetTensorTypeAndShape();
            var type = FromElementType(info.ElementDataType);
            // ONNX Runtime owns this buffer and frees it with the result: the response needs its own copy.
            outputs[o] = new Tensor(_outputNames[o], type, info.Shape, result.GetTensorMutableRawData().ToArray());
            o++;
        }
    }

    private static unsafe OrtValue Wrap(TensorDataType type, long[] shape, MemoryHandle pin, int bytes)
    {
        var data = bytes == 0 ? (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_empty)) : (nint)pin.Pointer;
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, ToElementType(type), shape, data, bytes);
    }

    /// <summary>The output's dimensions past the batch one when ONNX Runtime's metadata fixes them all, else null.</summary>
    private static long[]? KnownDims(NodeMetadata metadata, bool batching)
    {
        var dims = metadata.Dimensions;
        var first = batching ? 1 : 0;
        if (dims.Length < first)
        {
            return null;
        }

        var known = new long[dims.Length - first];
        for (var d = first; d < dims.Length; d++)
        {
            if (dims[d] < 0)
            {
                return null;
            }

            known[d - first] = dims[d];
        }

        return known;
    }

    public void Dispose() => _session.Dispose();

    public static OrtElementType ToElementType(TensorDataType type) => type switch
    {
        TensorDataType.Bool => OrtElementType.Bool,
        TensorDataType.UInt8 => OrtElementType.UInt8,
        TensorDataType.Int8 => OrtElementType.Int8,
        TensorDataType.Int32 => OrtElementType.Int32,
        TensorDataType.Int64 => OrtElementType.Int64,
        TensorDataType.FP16 => OrtElementType.Float16,
        TensorDataType.FP32 => OrtElementType.Float,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static TensorDataType FromElementType(OrtElementType type) => type switch
    {
        OrtElementType.Bool => TensorDataType.Bool,
        OrtElementType.UInt8 => TensorDataType.UInt8,
        OrtElementType.Int8 => TensorDataType.Int8,
        OrtElementType.Int32 => TensorDataType.Int32,
        OrtElementType.Int64 => TensorDataType.Int64,
        OrtElementType.Float16 => TensorDataType.FP16,
        OrtElementType.Float => TensorDataType.FP32,
        _ => throw new InferenceException(InferenceError.Internal, $"The model produced an output of unsupported element type {type}."),
    };
}
