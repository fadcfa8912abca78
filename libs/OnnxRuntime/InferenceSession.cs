using System.Runtime.InteropServices;
using MlAspire.OnnxRuntime.Native;
using Microsoft.Extensions.Logging;

namespace MlAspire.OnnxRuntime;

/// <summary>
/// A loaded model (<c>OrtSession</c>). <see cref="Run(IReadOnlyList{InputTensor}, CancellationToken)"/> is safe to
/// call from several threads at once. Create it with <see cref="OrtEnvironment.CreateSession(string, InferenceSessionOptions?)"/>.
/// </summary>
public sealed unsafe partial class InferenceSession : IDisposable
{
    private readonly OrtEnvironment _environment;
    private readonly OrtSessionHandle _session;
    private readonly TensorMetadata[] _inputs;
    private readonly TensorMetadata[] _outputs;
    private readonly Dictionary<string, int> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;

    // NUL-terminated UTF-8 names, built once and handed to every OrtApi.Run call. The arrays live on the pinned
    // object heap, so the pointers stay valid for as long as the session object is reachable (a run holds it).
    private readonly PinnedNames _inputNames;
    private readonly PinnedNames _outputNames;
    private int _disposed;

    private InferenceSession(
        OrtEnvironment environment, OrtSessionHandle session, string executionProvider, string? fallbackReason, string modelName)
    {
        _environment = environment;
        _session = session;
        ExecutionProvider = executionProvider;
        ExecutionProviderFallbackReason = fallbackReason;
        ModelName = modelName;
        _inputs = ReadMetadata(session, isInput: true);
        _outputs = ReadMetadata(session, isInput: false);
        _inputIndex = Index(_inputs);
        _outputIndex = Index(_outputs);
        _inputNames = new PinnedNames(_inputs);
        _outputNames = new PinnedNames(_outputs);
    }

    /// <summary>The provider the session runs on: <see cref="ExecutionProviders.Cuda"/> or <see cref="ExecutionProviders.Cpu"/>.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why CUDA was asked for but not used (ONNX Runtime's message); null when no fallback happened.</summary>
    public string? ExecutionProviderFallbackReason { get; }

    /// <summary>The model file path, or a description of the bytes it was created from.</summary>
    public string ModelName { get; }

    public IReadOnlyList<TensorMetadata> Inputs => _inputs;

    public IReadOnlyList<TensorMetadata> Outputs => _outputs;

    internal static InferenceSession Create(
        OrtEnvironment environment, string? path, ReadOnlySpan<byte> model, InferenceSessionOptions options)
    {
        options.Validate();
        var modelName = path ?? $"<{model.Length} bytes>";
        string? fallbackReason = null;
        var provider = ExecutionProviders.Cpu;

        if (options.ExecutionProvider == ExecutionProviderPreference.Cuda)
        {
            using var cudaOptions = BuildSessionOptions(environment, options, withCuda: true, out var appendFailure);
            if (appendFailure is null)
            {
                try
                {
                    var cudaSession = Open(environment, path, model, cudaOptions);
                    return Created(environment, cudaSession, ExecutionProviders.Cuda, null, modelName);
                }
                catch (OnnxRuntimeException ex)
                {
                    // The provider library loaded but could not initialise (no device, driver or cuDNN mismatch).
                    fallbackReason = ex.Message;
                }
            }
            else
            {
                fallbackReason = appendFailure;
            }

            Log.CudaUnavailable(environment.Logger, modelName, fallbackReason);
        }

        using var cpuOptions = BuildSessionOptions(environment, options, withCuda: false, out _);
        var session = Open(environment, path, model, cpuOptions);
        return Created(environment, session, provider, fallbackReason, modelName);
    }

    private static InferenceSession Created(
        OrtEnvironment environment, OrtSessionHandle handle, string provider, string? fallbackReason, string modelName)
    {
        try
        {
            var session = new InferenceSession(environment, handle, provider, fallbackReason, modelName);
            Log.SessionCreated(environment.Logger, modelName, provider, session._inputs.Length, session._outputs.Length);
            return session;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static OrtSessionHandle Open(OrtEnvironment environment, string? path, ReadOnlySpan<byte> model, OrtSessionOptionsHandle options)
    {
        var api = OrtLibrary.Api;
        var handle = new OrtSessionHandle();
        nint created;
        if (path is not null)
        {
            var nativePath = OrtLibrary.ToUtf8(path);
            try
            {
                OrtLibrary.ThrowIfFailed(api->CreateSession(
                    environment.Handle.DangerousGetHandle(), nativePath, options.DangerousGetHandle(), &created));
            }
            finally
            {
                NativeMemory.Free(nativePath);
            }
        }
        else
        {
            fixed (byte* bytes = model)
            {
                OrtLibrary.ThrowIfFailed(api->CreateSessionFromArray(
                    environment.Handle.DangerousGetHandle(), bytes, (nuint)model.Length, options.DangerousGetHandle(), &created));
            }
        }

        handle.Attach(created);
        try
        {
            // ONNX Runtime wants the environment to outlive its sessions, and runs use the environment's memory info.
            handle.DependOn(environment.Handle, environment.CpuMemory);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return handle;
    }

    private static OrtSessionOptionsHandle BuildSessionOptions(
        OrtEnvironment environment, InferenceSessionOptions options, bool withCuda, out string? cudaFailure)
    {
        cudaFailure = null;
        var api = OrtLibrary.Api;
        var handle = new OrtSessionOptionsHandle();
        try
        {
            nint created;
            OrtLibrary.ThrowIfFailed(api->CreateSessionOptions(&created));
            handle.Attach(created);
            var so = created;
            OrtLibrary.ThrowIfFailed(api->SetIntraOpNumThreads(so, options.IntraOpThreads));
            OrtLibrary.ThrowIfFailed(api->SetInterOpNumThreads(so, options.InterOpThreads));
            OrtLibrary.ThrowIfFailed(api->SetSessionGraphOptimizationLevel(so, (int)options.GraphOptimizationLevel));
            OrtLibrary.ThrowIfFailed(api->SetSessionExecutionMode(so, (int)options.ExecutionMode));
            OrtLibrary.ThrowIfFailed(options.EnableMemoryPattern ? api->EnableMemPattern(so) : api->DisableMemPattern(so));
            OrtLibrary.ThrowIfFailed(options.EnableCpuMemoryArena ? api->EnableCpuMemArena(so) : api->DisableCpuMemArena(so));
            OrtLibrary.ThrowIfFailed(api->SetSessionLogSeverityLevel(so, (int)environment.LogLevel));
            if (!string.IsNullOrEmpty(options.LogId))
            {
                var logId = OrtLibrary.ToUtf8(options.LogId);
                try
                {
                    OrtLibrary.ThrowIfFailed(api->SetSessionLogId(so, logId));
                }
                finally
                {
                    NativeMemory.Free(logId);
                }
            }

            var entries = new List<KeyValuePair<string, string>>(options.ConfigEntries);
            if (!options.AllowSpinning && !options.ConfigEntries.ContainsKey(InferenceSessionOptions.IntraOpSpinningKey))
            {
                entries.Add(new(InferenceSessionOptions.IntraOpSpinningKey, "0"));
            }

            foreach (var (key, value) in entries)
            {
                var keyUtf8 = OrtLibrary.ToUtf8(key);
                var valueUtf8 = OrtLibrary.ToUtf8(value);
                try
                {
                    OrtLibrary.ThrowIfFailed(api->AddSessionConfigEntry(so, keyUtf8, valueUtf8));
                }
                finally
                {
                    NativeMemory.Free(keyUtf8);
                    NativeMemory.Free(valueUtf8);
                }
            }

            if (withCuda)
            {
                cudaFailure = TryAppendCuda(so, options.Cuda);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Appends the CUDA provider; returns ONNX Runtime's reason when it cannot, null on success.</summary>
    private static string? TryAppendCuda(nint sessionOptions, CudaProviderOptions cuda)
    {
        var api = OrtLibrary.Api;
        using var providerOptions = new OrtCudaProviderOptionsHandle();
        nint created;
        var failure = OrtLibrary.ToException(api->CreateCUDAProviderOptions(&created));
        if (failure is not null)
        {
            return failure.Message;
        }

        providerOptions.Attach(created);
        var pairs = new List<(string Key, string Value)>
        {
            ("device_id", cuda.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("cudnn_conv_algo_search", cuda.CudnnConvAlgoSearch switch
            {
                CudnnConvAlgoSearch.Heuristic => "HEURISTIC",
                CudnnConvAlgoSearch.Default => "DEFAULT",
                _ => "EXHAUSTIVE",
            }),
        };
        if (cuda.GpuMemoryLimit is { } limit)
        {
            pairs.Add(("gpu_mem_limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var keys = stackalloc byte*[pairs.Count];
        var values = stackalloc byte*[pairs.Count];
        try
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                keys[i] = OrtLibrary.ToUtf8(pairs[i].Key);
                values[i] = OrtLibrary.ToUtf8(pairs[i].Value);
            }

            failure = OrtLibrary.ToException(api->UpdateCUDAProviderOptions(created, keys, values, (nuint)pairs.Count));
            if (failure is not null)
            {
                return failure.Message;
            }
        }
        finally
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                NativeMemory.Free(keys[i]);
                NativeMemory.Free(values[i]);
            }
        }

        failure = OrtLibrary.ToException(api->SessionOptionsAppendExecutionProvider_CUDA_V2(sessionOptions, created));
        return failure?.Message;
    }

    private static TensorMetadata[] ReadMetadata(OrtSessionHandle session, bool isInput)
    {
        var api = OrtLibrary.Api;
        var s = session.DangerousGetHandle();
        nuint count;
        OrtLibrary.ThrowIfFailed(isInput ? api->SessionGetInputCount(s, &count) : api->SessionGetOutputCount(s, &count));
        nint allocator;
        OrtLibrary.ThrowIfFailed(api->GetAllocatorWithDefaultOptions(&allocator));

        var result = new TensorMetadata[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* namePtr;
            OrtLibrary.ThrowIfFailed(isInput
                ? api->SessionGetInputName(s, i, allocator, &namePtr)
                : api->SessionGetOutputName(s, i, allocator, &namePtr));
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((nint)namePtr) ?? string.Empty;
            }
            finally
            {
                OrtLibrary.ThrowIfFailed(api->AllocatorFree(allocator, namePtr));
            }

            using var typeInfo = new OrtTypeInfoHandle();
            nint info;
            OrtLibrary.ThrowIfFailed(isInput
                ? api->SessionGetInputTypeInfo(s, i, &info)
                : api->SessionGetOutputTypeInfo(s, i, &info));
            typeInfo.Attach(info);

            int onnxType;
            OrtLibrary.ThrowIfFailed(api->GetOnnxTypeFromTypeInfo(info, &onnxType));
            const int OnnxTypeTensor = 1;
            if (onnxType != OnnxTypeTensor)
            {
                result[(int)i] = new TensorMetadata(name, isTensor: false, TensorElementType.Undefined, [], []);
                continue;
            }

            nint tensorInfo; // owned by typeInfo
            OrtLibrary.ThrowIfFailed(api->CastTypeInfoToTensorInfo(info, &tensorInfo));
            var (elementType, dimensions, symbolic) = ReadTensorInfo(tensorInfo);
            result[(int)i] = new TensorMetadata(name, isTensor: true, elementType, dimensions, symbolic);
        }

        return result;
    }

    internal static (TensorElementType Type, long[] Dimensions, string[] Symbolic) ReadTensorInfo(nint tensorInfo)
    {
        var api = OrtLibrary.Api;
        int elementType;
        OrtLibrary.ThrowIfFailed(api->GetTensorElementType(tensorInfo, &elementType));
        nuint rank;
        OrtLibrary.ThrowIfFailed(api->GetDimensionsCount(tensorInfo, &rank));
        var dimensions = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            fixed (long* dims = dimensions)
            {
                OrtLibrary.ThrowIfFailed(api->GetDimensions(tensorInfo, dims, rank));
            }

            var names = stackalloc byte*[(int)rank];
            OrtLibrary.ThrowIfFailed(api->GetSymbolicDimensions(tensorInfo, names, rank));
            for (var d = 0; d < (int)rank; d++)
            {
                symbolic[d] = names[d] is null ? string.Empty : Marshal.PtrToStringUTF8((nint)names[d]) ?? string.Empty;
                if (dimensions[d] < 0)
                {
                    dimensions[d] = -1;
                }
            }
        }

        return ((TensorElementType)elementType, dimensions, symbolic);
    }

    private static Dictionary<string, int> Index(TensorMetadata[] items)
    {
        var index = new Dictionary<string, int>(items.Length, StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            index[items[i].Name] = i;
        }

        return index;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // SafeHandle reference counting keeps the native session alive until runs in flight have finished.
        _session.Dispose();
    }

    public override string ToString() => $"{ModelName} on {ExecutionProvider}";
}
