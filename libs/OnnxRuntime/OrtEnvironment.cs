using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlAspire.OnnxRuntime.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlAspire.OnnxRuntime;

/// <summary>
/// The ONNX Runtime environment (<c>OrtEnv</c>): loads the native library, routes its log to an
/// <see cref="ILogger"/> and creates sessions. ONNX Runtime keeps one environment per process; creating a second
/// one shares it, and its log goes to the most recently supplied logger. Dispose it after its sessions.
/// </summary>
public sealed unsafe class OrtEnvironment : IDisposable
{
    private static readonly Lock s_gate = new();
    private static ILogger s_nativeLogger = NullLogger.Instance;
    private static int s_liveCount;

    private readonly OrtEnvHandle _env;
    private readonly OrtMemoryInfoHandle _cpuMemory;
    private readonly ILogger _logger;
    private bool _disposed;

    private OrtEnvironment(OrtEnvHandle env, OrtMemoryInfoHandle cpuMemory, ILogger logger, OrtLoggingLevel logLevel)
    {
        _env = env;
        _cpuMemory = cpuMemory;
        _logger = logger;
        LogLevel = logLevel;
    }

    /// <summary>The loaded library's version string (<c>GetVersionString</c>), e.g. "1.30.0".</summary>
    public string Version { get; } = OrtLibrary.Version;

    /// <summary>Where the native library was loaded from.</summary>
    public string LibraryPath { get; } = OrtLibrary.Path;

    /// <summary>The C API version the binding requested (the oldest that has every function it calls).</summary>
    public static uint ApiVersion => OrtLibrary.RequiredApiVersion;

    internal OrtLoggingLevel LogLevel { get; }

    internal ILogger Logger => _logger;

    internal OrtEnvHandle Handle => _env;

    internal OrtMemoryInfoHandle CpuMemory => _cpuMemory;

    /// <summary>Loads the library (once per process) and creates the environment.</summary>
    /// <exception cref="DllNotFoundException">The library was not found; the message lists where the binding looked.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime refused to create the environment.</exception>
    public static OrtEnvironment Create(OrtEnvironmentOptions? options = null, ILogger? logger = null)
    {
        options ??= new OrtEnvironmentOptions();
        if (!Enum.IsDefined(options.LogLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LogLevel, "Unknown OrtEnvironmentOptions.LogLevel.");
        }

        logger ??= NullLogger.Instance;
        var firstLoad = !OrtLibrary.IsLoaded;
        OrtLibrary.EnsureLoaded(options.LibraryPath);
        if (firstLoad)
        {
            Log.LibraryLoaded(logger, OrtLibrary.Version, OrtLibrary.Path, OrtLibrary.RequiredApiVersion);
        }

        var api = OrtLibrary.Api;
        var env = new OrtEnvHandle();
        var memory = new OrtMemoryInfoHandle();
        try
        {
            lock (s_gate)
            {
                if (logger is not NullLogger)
                {
                    s_nativeLogger = logger;
                }

                var logId = OrtLibrary.ToUtf8(string.IsNullOrEmpty(options.LogId) ? "mlaspire" : options.LogId);
                try
                {
                    nint created;
                    var callback = (nint)(delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void>)&OnNativeLog;
                    OrtLibrary.ThrowIfFailed(api->CreateEnvWithCustomLogger(callback, 0, (int)options.LogLevel, logId, &created));
                    env.Attach(created);
                }
                finally
                {
                    NativeMemory.Free(logId);
                }

                s_liveCount++;
            }

            OrtLibrary.ThrowIfFailed(api->DisableTelemetryEvents(env.DangerousGetHandle()));

            nint info;
            // OrtDeviceAllocator (0) with OrtMemTypeDefault (0): plain CPU memory, which is what pinned managed buffers are.
            OrtLibrary.ThrowIfFailed(api->CreateCpuMemoryInfo(0, 0, &info));
            memory.Attach(info);
            return new OrtEnvironment(env, memory, logger, options.LogLevel);
        }
        catch
        {
            memory.Dispose();
            if (!env.IsInvalid)
            {
                Release(env);
            }
            else
            {
                env.Dispose();
            }

            throw;
        }
    }

    /// <summary>Execution providers compiled into the loaded library (they may still fail to load at run time).</summary>
    public IReadOnlyList<string> GetAvailableProviders()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte** names;
        int count;
        var api = OrtLibrary.Api;
        OrtLibrary.ThrowIfFailed(api->GetAvailableProviders(&names, &count));
        try
        {
            var result = new string[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? string.Empty;
            }

            return result;
        }
        finally
        {
            OrtLibrary.ThrowIfFailed(api->ReleaseAvailableProviders(names, count));
        }
    }

    /// <summary>Creates a session from an ONNX model file.</summary>
    public InferenceSession CreateSession(string modelPath, InferenceSessionOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
        {
            throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile, $"Model file '{modelPath}' does not exist.");
        }

        return InferenceSession.Create(this, modelPath, default, options ?? new InferenceSessionOptions());
    }

    /// <summary>Creates a session from the bytes of an ONNX model (the bytes are read during the call only).</summary>
    public InferenceSession CreateSession(ReadOnlySpan<byte> model, InferenceSessionOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (model.IsEmpty)
        {
            throw new OnnxRuntimeException(OrtErrorCode.InvalidArgument, "The model is empty.");
        }

        return InferenceSession.Create(this, null, model, options ?? new InferenceSessionOptions());
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cpuMemory.Dispose();
        Release(_env);
    }

    private static void Release(OrtEnvHandle env)
    {
        lock (s_gate)
        {
            env.Dispose();
            if (--s_liveCount <= 0)
            {
                s_liveCount = 0;
                s_nativeLogger = NullLogger.Instance;
            }
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnNativeLog(nint param, int severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        try
        {
            var logger = s_nativeLogger;
            var level = severity switch
            {
                0 => Microsoft.Extensions.Logging.LogLevel.Debug,
                1 => Microsoft.Extensions.Logging.LogLevel.Information,
                2 => Microsoft.Extensions.Logging.LogLevel.Warning,
                3 => Microsoft.Extensions.Logging.LogLevel.Error,
                _ => Microsoft.Extensions.Logging.LogLevel.Critical,
            };
            if (logger.IsEnabled(level))
            {
                var categoryText = Marshal.PtrToStringUTF8((nint)category) ?? string.Empty;
                var logIdText = Marshal.PtrToStringUTF8((nint)logId) ?? string.Empty;
                var locationText = Marshal.PtrToStringUTF8((nint)codeLocation) ?? string.Empty;
                var messageText = Marshal.PtrToStringUTF8((nint)message) ?? string.Empty;
                Log.NativeMessage(logger, level, categoryText, logIdText, locationText, messageText);
            }
        }
#pragma warning disable CA1031 // An exception must never unwind into native code; a failing logger loses one line.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
