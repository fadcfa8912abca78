using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Services;

/// <summary>
/// Turns a KServe v2 <see cref="ModelInferRequest"/> into validated tensors, and model outputs back into a
/// <see cref="ModelInferResponse"/> (raw contents; or Triton-style top-k classification strings when asked).
/// Every problem is an <see cref="InferenceException"/> with <see cref="InferenceError.InvalidArgument"/> naming the
/// input at fault.
/// </summary>
internal static class InferRequestMapper
{
    public const string ClassificationParameter = "classification";
    private const int MaxClassificationCount = 1000;

    /// <summary>The validated inputs in the model's declared order, and the batch rows they carry.</summary>
    public static (IReadOnlyList<Tensor> Inputs, int Rows) ReadInputs(ModelInferRequest request, ModelDefinition model)
    {
        var usesRaw = request.RawInputContents.Count > 0;
        if (usesRaw && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw Invalid($"raw_input_contents has {request.RawInputContents.Count} entries but there are {request.Inputs.Count} inputs; they must match one to one");
        }

        var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var rows = -1;
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var spec = model.FindInput(input.Name) ??
                throw Invalid($"Input '{input.Name}' is not an input of model '{model.Name}' (inputs: {string.Join(", ", model.Inputs.Select(x => x.Name))})");
            if (byName.ContainsKey(input.Name))
            {
                throw Invalid($"Input '{input.Name}' is given more than once");
            }

            if (!TensorDataTypes.TryParseWireName(input.Datatype, out var type) || type != spec.DataType)
            {
                throw Invalid($"Input '{input.Name}' has datatype '{input.Datatype}' but the model expects {TensorDataTypes.ToWireName(spec.DataType)}");
            }

            var shape = input.Shape.ToArray();
            var inputRows = CheckShape(input.Name, shape, spec, model);
            if (rows >= 0 && inputRows != rows)
            {
                throw Invalid($"Input '{input.Name}' has batch size {inputRows} but another input has {rows}; all inputs must agree");
            }

            rows = inputRows;
            long elements;
            try
            {
                elements = Tensor.ElementCount(shape);
            }
            catch (OverflowException)
            {
                throw Invalid($"Input '{input.Name}' shape [{string.Join(", ", shape)}] is too large");
            }

            ReadOnlyMemory<byte> data;
            if (usesRaw)
            {
                if (input.Contents is not null && HasAnyContents(input.Contents))
                {
                    throw Invalid($"Input '{input.Name}' has typed contents while raw_input_contents is used; use one or the other");
                }

                data = request.RawInputContents[i].Memory;
                var expected = elements * TensorDataTypes.SizeOf(type);
                if (data.Length != expected)
                {
                    throw Invalid($"Input '{input.Name}' raw content has {data.Length} bytes but shape [{string.Join(", ", shape)}] of {input.Datatype} needs {expected}");
                }
            }
            else
            {
                data = ReadTypedContents(input.Name, type, input.Contents, elements);
            }

            byName[input.Name] = new Tensor(input.Name, type, shape, data);
        }

        var missing = model.Inputs.Where(s => !byName.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        if (missing.Count > 0)
        {
            throw Invalid($"Input '{missing[0]}' is missing (model '{model.Name}' needs {string.Join(", ", model.Inputs.Select(x => x.Name))})");
        }

        return ([.. model.Inputs.Select(s => byName[s.Name])], Math.Max(rows, 1));
    }

    /// <summary>The outputs asked for, validated; all of them when none is named.</summary>
    public static IReadOnlyList<(TensorSpec Spec, int Classification)> ReadRequestedOutputs(ModelInferRequest request, ModelDefinition model)
    {
        if (request.Outputs.Count == 0)
        {
            return [.. model.Outputs.Select(o => (o, 0))];
        }

        var result = new List<(TensorSpec, int)>();
        foreach (var output in request.Outputs)
        {
            var spec = model.FindOutput(output.Name) ??
                throw Invalid($"Output '{output.Name}' is not an output of model '{model.Name}' (outputs: {string.Join(", ", model.Outputs.Select(x => x.Name))})");
            var k = 0;
            if (output.Parameters.TryGetValue(ClassificationParameter, out var parameter))
            {
                k = parameter.ParameterChoiceCase switch
                {
                    InferParameter.ParameterChoiceOneofCase.Int64Param => (int)Math.Clamp(parameter.Int64Param, int.MinValue, int.MaxValue),
                    InferParameter.ParameterChoiceOneofCase.Uint64Param => (int)Math.Min(parameter.Uint64Param, int.MaxValue),
                    _ => -1,
                };
                if (k is < 1 or > MaxClassificationCount)
                {
                    throw Invalid($"Output '{output.Name}' parameter 'classification' must be an integer between 1 and {MaxClassificationCount}");
                }

                if (spec.DataType is not (TensorDataType.FP32 or TensorDataType.FP16))
                {
                    throw Invalid($"Output '{output.Name}' is {TensorDataTypes.ToWireName(spec.DataType)}; classification needs a floating-point output");
                }
            }

            result.Add((spec, k));
        }

        return result;
    }

    public static ModelInferResponse WriteResponse(
        ModelInferRequest request,
        ModelDefinition model,
        IReadOnlyList<(TensorSpec Spec, int Classification)> requested,
        IReadOnlyList<Tensor> outputs)
    {
        var response = new ModelInferResponse { ModelName = model.Name, ModelVersion = model.Version, Id = request.Id };
        foreach (var (spec, k) in requested)
        {
            var tensor = outputs.FirstOrDefault(o => o.Name == spec.Name) ??
                throw new InferenceException(InferenceError.Internal, $"Model '{model.Name}' did not produce output '{spec.Name}'.");
            if (k > 0)
            {
                var (shape, bytes) = Classify(tensor, k, model.Labels);
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = spec.Name, Datatype = "BYTES", Shape = { shape } });
                response.RawOutputContents.Add(ByteString.CopyFrom(bytes));
            }
            else
            {
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor
                {
                    Name = spec.Name,
                    Datatype = TensorDataTypes.ToWireName(tensor.DataType),
                    Shape = { tensor.Shape },
                });
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(tensor.Data));
            }
        }

        return response;
    }

    /// <summary>
    /// Triton's classification extension: per batch row, the top k as "score:index[:label]" strings, in KServe's BYTES
    /// raw layout (each element a 4-byte little-endian length, then its bytes).
    /// </summary>
    private static (long[] Shape, byte[] Bytes) Classify(Tensor tensor, int k, IReadOnlyList<string>? labels)
    {
        var scores = ToFloats(tensor);
        var rows = tensor.Shape.Length > 1 ? (int)tensor.Shape[0] : 1;
        var classes = rows == 0 ? 0 : scores.Length / rows;
        k = Math.Min(k, classes);
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        for (var r = 0; r < rows; r++)
        {
            var row = scores.AsSpan(r * classes, classes);
            foreach (var index in TopK(row, k))
            {
                var label = labels is not null && index < labels.Count ? ":" + labels[index] : "";
                var text = Encoding.UTF8.GetBytes(
                    string.Create(CultureInfo.InvariantCulture, $"{row[index]:0.######}:{index}{label}"));
                BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
                buffer.Write(length);
                buffer.Write(text);
            }
        }

        long[] shape = tensor.Shape.Length > 1 ? [rows, k] : [k];
        return (shape, buffer.ToArray());
    }

    private static int[] TopK(ReadOnlySpan<float> row, int k)
    {
        var indices = Enumerable.Range(0, row.Length).ToArray();
        var copy = row.ToArray();
        // Highest score first; ties keep the lower index first.
        Array.Sort(indices, (a, b) => copy[b].CompareTo(copy[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return indices[..k];
    }

    private static float[] ToFloats(Tensor tensor) => tensor.DataType switch
    {
        TensorDataType.FP32 => MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray(),
        TensorDataType.FP16 => [.. MemoryMarshal.Cast<byte, Half>(tensor.Data.Span).ToArray().Select(h => (float)h)],
        _ => throw new InferenceException(InferenceError.Internal, $"Output '{tensor.Name}' is not floating point."),
    };

    private static int CheckShape(string name, long[] shape, TensorSpec spec, ModelDefinition model)
    {
        var dims = spec.Dims;
        var offset = model.SupportsBatching ? 1 : 0;
        if (shape.Length != dims.Count + offset)
        {
            throw Invalid($"Input '{name}' has shape [{string.Join(", ", shape)}] but the model expects {Describe(dims, model)}");
        }

        for (var d = 0; d < dims.Count; d++)
        {
            if (shape[d + offset] < 0 || dims[d] != -1 && shape[d + offset] != dims[d])
            {
                throw Invalid($"Input '{name}' has shape [{string.Join(", ", shape)}] but the model expects {Describe(dims, model)}");
            }
        }

        if (!model.SupportsBatching)
        {
            return 1;
        }

        if (shape[0] < 1 || shape[0] > model.MaxBatchSize)
        {
            throw Invalid($"Input '{name}' has batch size {shape[0]}; model '{model.Name}' accepts 1 to {model.MaxBatchSize}");
        }

        return (int)shape[0];
    }

    private static string Describe(IReadOnlyList<long> dims, ModelDefinition model) =>
        "[" + (model.SupportsBatching ? "batch, " : "") + string.Join(", ", dims.Select(d => d == -1 ? "any" : d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static bool HasAnyContents(InferTensorContents c) =>
        c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count + c.Uint64Contents.Count +
        c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count > 0;

    private static byte[] ReadTypedContents(string name, TensorDataType type, InferTensorContents? contents, long elements)
    {
        contents ??= new InferTensorContents();
        int count;
        byte[] data;
        switch (type)
        {
            case TensorDataType.FP32:
                count = contents.Fp32Contents.Count;
                data = count == elements ? MemoryMarshal.AsBytes(contents.Fp32Contents.ToArray().AsSpan()).ToArray() : [];
                break;
            case TensorDataType.Int32:
                count = contents.IntContents.Count;
                data = count == elements ? MemoryMarshal.AsBytes(contents.IntContents.ToArray().AsSpan()).ToArray() : [];
                break;
            case TensorDataType.Int8:
                count = contents.IntContents.Count;
                data = count == elements ? [.. contents.IntContents.Select(v => unchecked((byte)(sbyte)CheckRange(name, v, sbyte.MinValue, sbyte.MaxValue)))] : [];
                break;
            case TensorDataType.UInt8:
                count = contents.UintContents.Count;
                data = count == elements ? [.. contents.UintContents.Select(v => (byte)CheckRange(name, v, 0, byte.MaxValue))] : [];
                break;
            case TensorDataType.Int64:
                count = contents.Int64Contents.Count;
                data = count == elements ? MemoryMarshal.AsBytes(contents.Int64Contents.ToArray().AsSpan()).ToArray() : [];
                break;
            case TensorDataType.Bool:
                count = contents.BoolContents.Count;
                data = count == elements ? [.. contents.BoolContents.Select(b => b ? (byte)1 : (byte)0)] : [];
                break;
            default:
                throw Invalid($"Input '{name}' is {TensorDataTypes.ToWireName(type)}, which travels only in raw_input_contents");
        }

        if (count != elements)
        {
            throw Invalid($"Input '{name}' has {count} values in its contents but its shape holds {elements}");
        }

        return data;
    }

    private static long CheckRange(string name, long value, long min, long max) =>
        value >= min && value <= max ? value : throw Invalid($"Input '{name}' holds {value}, outside {min}..{max}");

    private static InferenceException Invalid(string message) => new(InferenceError.InvalidArgument, message + ".");
}
