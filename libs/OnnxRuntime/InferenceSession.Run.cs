using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlAspire.OnnxRuntime.Native;

namespace MlAspire.OnnxRuntime;

public sealed unsafe partial class InferenceSession
{
    private const int MaxStackTensors = 16;

    // Stands in for the data pointer of an empty tensor, which ONNX Runtime still wants non-null.
    private static readonly byte[] s_emptyData = GC.AllocateArray<byte>(1, pinned: true);

    /// <summary>Runs the model on <paramref name="inputs"/> and returns every model output.</summary>
    /// <inheritdoc cref="Run(IReadOnlyList{InputTensor}, IReadOnlyList{string}?, CancellationToken)"/>
    public InferenceResult Run(IReadOnlyList<InputTensor> inputs, CancellationToken cancellationToken = default)
        => Run(inputs, outputNames: null, cancellationToken);

    /// <summary>
    /// Runs the model on <paramref name="inputs"/> (caller memory, pinned, not copied) and returns the requested
    /// outputs (all when <paramref name="outputNames"/> is null) copied into pooled buffers. Blocks the calling thread.
    /// When <paramref name="cancellationToken"/> fires mid-run, ONNX Runtime is told to terminate the run and
    /// <see cref="OperationCanceledException"/> is thrown; the session stays usable.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">
    /// An input is unknown, missing, duplicated, of the wrong element type or shape (the message names it), or
    /// ONNX Runtime failed the run.
    /// </exception>
    public InferenceResult Run(
        IReadOnlyList<InputTensor> inputs, IReadOnlyList<string>? outputNames, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(inputs);
        cancellationToken.ThrowIfCancellationRequested();
        var modelInputIndices = ValidateInputs(inputs);
        var outputIndices = ResolveOutputs(outputNames);

        var api = OrtLibrary.Api;
        var inputCount = inputs.Count;
        var outputCount = outputIndices.Length;
        var pins = ArrayPool<MemoryHandle>.Shared.Rent(inputCount);
        var inputHandles = ArrayPool<OrtValueHandle?>.Shared.Rent(inputCount);
        var outputHandles = ArrayPool<OrtValueHandle?>.Shared.Rent(outputCount);
        // Pointer tables for OrtApi.Run: on the stack for the usual handful of tensors (zeroed, never moved).
        Span<nint> inputValues = inputCount <= MaxStackTensors ? stackalloc nint[MaxStackTensors] : new nint[inputCount];
        Span<nint> inputNames = inputCount <= MaxStackTensors ? stackalloc nint[MaxStackTensors] : new nint[inputCount];
        Span<nint> outputValues = outputCount <= MaxStackTensors ? stackalloc nint[MaxStackTensors] : new nint[outputCount];
        Span<nint> outputNamesTable = outputCount <= MaxStackTensors ? stackalloc nint[MaxStackTensors] : new nint[outputCount];
        var pinned = 0;
        var sessionReferenced = false;
        using var runOptions = new OrtRunOptionsHandle();
        try
        {
            _session.DangerousAddRef(ref sessionReferenced);
            var memoryInfo = _environment.CpuMemory.DangerousGetHandle();
            for (var i = 0; i < inputCount; i++)
            {
                var input = inputs[i];
                pins[i] = input.Pin();
                pinned++;
                var data = pins[i].Pointer;
                if (data is null)
                {
                    data = Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_emptyData));
                }

                var shape = input.ShapeArray;
                var valueHandle = new OrtValueHandle();
                inputHandles[i] = valueHandle;
                fixed (long* dims = shape)
                {
                    nint value;
                    OrtLibrary.ThrowIfFailed(api->CreateTensorWithDataAsOrtValue(
                        memoryInfo, data, (nuint)input.ByteLength, dims, (nuint)shape.Length, (int)input.ElementType, &value));
                    valueHandle.Attach(value);
                    inputValues[i] = value;
                }

                inputNames[i] = (nint)_inputNames[modelInputIndices[i]];
            }

            for (var i = 0; i < outputCount; i++)
            {
                outputNamesTable[i] = (nint)_outputNames[outputIndices[i]];
            }

            nint options;
            OrtLibrary.ThrowIfFailed(api->CreateRunOptions(&options));
            runOptions.Attach(options);

            nint status;
            var registration = cancellationToken.UnsafeRegister(static state => Terminate((OrtRunOptionsHandle)state!), runOptions);
            try
            {
                fixed (nint* inNames = inputNames, inValues = inputValues, outNames = outputNamesTable, outValues = outputValues)
                {
                    status = api->Run(
                        _session.DangerousGetHandle(), options, (byte**)inNames, inValues, (nuint)inputCount,
                        (byte**)outNames, (nuint)outputCount, outValues);
                }
            }
            finally
            {
                // Waits for a callback in progress, so the run options outlive every RunOptionsSetTerminate call.
                registration.Dispose();
                for (var i = 0; i < outputCount; i++)
                {
                    if (outputValues[i] != 0)
                    {
                        var owned = new OrtValueHandle();
                        owned.Attach(outputValues[i]);
                        outputHandles[i] = owned;
                    }
                }
            }

            if (status != 0 && cancellationToken.IsCancellationRequested)
            {
                _ = OrtLibrary.ToException(status); // releases the status
                throw new OperationCanceledException("The inference run was cancelled.", cancellationToken);
            }

            OrtLibrary.ThrowIfFailed(status);
            return ReadOutputs(outputValues, outputIndices);
        }
        finally
        {
            // Values first: an input value points into pinned memory that is unpinned below.
            for (var i = 0; i < inputCount; i++)
            {
                inputHandles[i]?.Dispose();
            }

            for (var i = 0; i < outputCount; i++)
            {
                outputHandles[i]?.Dispose();
            }

            ArrayPool<OrtValueHandle?>.Shared.Return(inputHandles, clearArray: true);
            ArrayPool<OrtValueHandle?>.Shared.Return(outputHandles, clearArray: true);
            for (var i = 0; i < pinned; i++)
            {
                pins[i].Dispose();
            }

            ArrayPool<MemoryHandle>.Shared.Return(pins, clearArray: true);
            if (sessionReferenced)
            {
                _session.DangerousRelease();
            }
        }
    }

    private static void Terminate(OrtRunOptionsHandle runOptions)
    {
        // Tells the executor to stop before its next node; the run then returns an error status.
        _ = OrtLibrary.ToException(OrtLibrary.Api->RunOptionsSetTerminate(runOptions.DangerousGetHandle()));
    }

    private InferenceResult ReadOutputs(ReadOnlySpan<nint> values, int[] outputIndices)
    {
        var api = OrtLibrary.Api;
        var tensors = new OutputTensor[outputIndices.Length];
        var made = 0;
        try
        {
            for (var i = 0; i < outputIndices.Length; i++)
            {
                var name = _outputs[outputIndices[i]].Name;
                var value = values[i];
                TensorElementType type;
                long[] shape;
                using (var info = new OrtTensorTypeAndShapeInfoHandle())
                {
                    nint created;
                    OrtLibrary.ThrowIfFailed(api->GetTensorTypeAndShape(value, &created));
                    info.Attach(created);
                    (type, shape, _) = ReadTensorInfo(created);
                }

                var elementSize = TensorElementTypes.SizeOf(type);
                if (elementSize == 0)
                {
                    throw new OnnxRuntimeException(OrtErrorCode.NotImplemented,
                        $"Output '{name}' has element type {type}, which this binding does not read.");
                }

                long count = 1;
                foreach (var dimension in shape)
                {
                    count = checked(count * dimension);
                }

                var byteCount = checked(count * elementSize);
                if (byteCount > Array.MaxLength)
                {
                    throw new OnnxRuntimeException(OrtErrorCode.Fail, $"Output '{name}' is larger than 2 GB.");
                }

                void* data;
                OrtLibrary.ThrowIfFailed(api->GetTensorMutableData(value, &data));
                var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, byteCount));
                new ReadOnlySpan<byte>(data, (int)byteCount).CopyTo(buffer);
                tensors[i] = new OutputTensor(name, type, shape, count, buffer, (int)byteCount);
                made++;
            }

            return new InferenceResult(tensors);
        }
        catch
        {
            for (var i = 0; i < made; i++)
            {
                tensors[i].Release();
            }

            throw;
        }
    }

    private int[] ValidateInputs(IReadOnlyList<InputTensor> inputs)
    {
        var indices = new int[inputs.Count];
        Span<bool> seen = _inputs.Length <= 256 ? stackalloc bool[_inputs.Length] : new bool[_inputs.Length];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i] ?? throw new ArgumentException($"inputs[{i}] is null.", nameof(inputs));
            if (!_inputIndex.TryGetValue(input.Name, out var index))
            {
                throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument,
                    $"Input '{input.Name}' is not an input of model {ModelName}; its inputs are: {Describe(_inputs)}.");
            }

            if (seen[index])
            {
                throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument, $"Input '{input.Name}' is given more than once.");
            }

            seen[index] = true;
            indices[i] = index;
            var expected = _inputs[index];
            if (!expected.IsTensor)
            {
                throw new OnnxRuntimeException(OrtErrorCode.NotImplemented,
                    $"Input '{input.Name}' is not a tensor input; this binding feeds tensors only.");
            }

            if (input.ElementType != expected.ElementType)
            {
                throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument,
                    $"Input '{input.Name}' has element type {input.ElementType} but the model expects {expected.ElementType}.");
            }

            CheckShape(input, expected);
        }

        for (var m = 0; m < _inputs.Length; m++)
        {
            if (!seen[m])
            {
                throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument,
                    $"Input '{_inputs[m].Name}' is missing; the model's inputs are: {Describe(_inputs)}.");
            }
        }

        return indices;
    }

    private static void CheckShape(InputTensor input, TensorMetadata expected)
    {
        var actual = input.Shape;
        var wanted = expected.Dimensions;
        if (wanted.Count == 0 && actual.Count != 0)
        {
            // No shape in the model (or a scalar): leave the check to ONNX Runtime.
            return;
        }

        if (actual.Count != wanted.Count)
        {
            throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument,
                $"Input '{input.Name}' has shape [{string.Join(",", actual)}] (rank {actual.Count}) " +
                $"but the model expects rank {wanted.Count}: [{string.Join(",", wanted)}].");
        }

        for (var d = 0; d < wanted.Count; d++)
        {
            if (wanted[d] >= 0 && wanted[d] != actual[d])
            {
                throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument,
                    $"Input '{input.Name}' has shape [{string.Join(",", actual)}] but the model expects " +
                    $"[{string.Join(",", wanted)}] (dimension {d} must be {wanted[d]}).");
            }
        }
    }

    private int[] ResolveOutputs(IReadOnlyList<string>? outputNames)
    {
        if (outputNames is null)
        {
            var all = new int[_outputs.Length];
            for (var i = 0; i < all.Length; i++)
            {
                all[i] = i;
            }

            return all;
        }

        if (outputNames.Count == 0)
        {
            throw new ArgumentException("Ask for at least one output, or pass null for all.", nameof(outputNames));
        }

        var indices = new int[outputNames.Count];
        for (var i = 0; i < indices.Length; i++)
        {
            if (!_outputIndex.TryGetValue(outputNames[i], out indices[i]))
            {
                throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument,
                    $"Output '{outputNames[i]}' is not an output of model {ModelName}; its outputs are: {Describe(_outputs)}.");
            }
        }

        return indices;
    }

    private static string Describe(TensorMetadata[] items) => string.Join(", ", items.Select(i => i.ToString()));
}
