using System.Runtime.InteropServices;
using System.Text;

namespace MlAspire.OnnxRuntime.Native;

/// <summary>
/// Loads <c>libonnxruntime</c> once per process, asks it for the <see cref="OrtApi"/> table and turns
/// native <c>OrtStatus*</c> results into <see cref="OnnxRuntimeException"/>.
/// </summary>
internal static unsafe class OrtLibrary
{
    /// <summary>
    /// The oldest API version that holds every function this binding calls (CUDA provider options V2 arrived in
    /// version 11, ONNX Runtime 1.11). Asking for it rather than the newest keeps older 1.x libraries usable.
    /// </summary>
    public const uint RequiredApiVersion = 11;

    /// <summary>The ONNX Runtime version <c>eng/setup.sh</c> caches.</summary>
    public const string CachedVersion = "1.30.0";

    /// <summary>Environment variable naming the library file or the folder that holds it.</summary>
    public const string LibraryPathVariable = "MLASPIRE_ORT_LIBRARY";

    private static readonly Lock s_gate = new();
    private static OrtApi* s_api;
    private static string? s_version;
    private static string? s_path;

    public static bool IsLoaded => s_api is not null;

    public static OrtApi* Api => s_api is not null ? s_api : throw new InvalidOperationException(
        "ONNX Runtime is not loaded; create an OrtEnvironment first.");

    public static string Version => s_version ?? string.Empty;

    public static string Path => s_path ?? string.Empty;

    public static void EnsureLoaded(string? explicitPath)
    {
        if (s_api is not null)
        {
            return;
        }

        lock (s_gate)
        {
            if (s_api is not null)
            {
                return;
            }

            var (handle, path) = Resolve(explicitPath, Environment.GetEnvironmentVariable(LibraryPathVariable));
            if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var entry))
            {
                throw new OnnxRuntimeException(OrtErrorCode.Fail,
                    $"'{path}' does not export OrtGetApiBase; it is not an ONNX Runtime library.");
            }

            var apiBase = ((delegate* unmanaged[Cdecl]<OrtApiBase*>)entry)();
            var version = Marshal.PtrToStringUTF8((nint)apiBase->GetVersionString()) ?? "unknown";
            var api = apiBase->GetApi(RequiredApiVersion);
            if (api is null)
            {
                throw new OnnxRuntimeException(OrtErrorCode.Fail,
                    $"ONNX Runtime {version} at '{path}' does not serve C API version {RequiredApiVersion}; " +
                    "ONNX Runtime 1.11 or newer is required.");
            }

            s_version = version;
            s_path = path;
            s_api = api;
        }
    }

    /// <summary>Library file names to try, most specific first.</summary>
    internal static string[] FileNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["onnxruntime.dll"];
        }

        return OperatingSystem.IsMacOS()
            ? ["libonnxruntime.dylib"]
            : ["libonnxruntime.so.1", "libonnxruntime.so"];
    }

    /// <summary>Runtime identifier of the cache folder layout (<c>linux-x64</c>, <c>linux-arm64</c>, ...).</summary>
    internal static string RuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            var other => other.ToString().ToLowerInvariant(),
        };
        return $"{os}-{arch}";
    }

    /// <summary>The cache folder <c>eng/setup.sh</c> fills: <c>$MLASPIRE_CACHE/onnxruntime/1.30.0/&lt;rid&gt;</c>.</summary>
    internal static string CacheDirectory()
    {
        var root = Environment.GetEnvironmentVariable("MLASPIRE_CACHE");
        if (string.IsNullOrEmpty(root))
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var cache = string.IsNullOrEmpty(xdg)
                ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            root = System.IO.Path.Combine(cache, "mlaspire");
        }

        return System.IO.Path.Combine(root, "onnxruntime", CachedVersion, RuntimeIdentifier());
    }

    /// <summary>
    /// Resolution order: the explicit path (options), then <c>MLASPIRE_ORT_LIBRARY</c> (both a file or a folder,
    /// and both fail fast when set but unusable), the application's folder, the setup cache, the system loader.
    /// </summary>
    internal static (nint Handle, string Path) Resolve(string? explicitPath, string? fromEnvironment)
    {
        var tried = new StringBuilder();

        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return LoadConfigured(explicitPath, "OrtEnvironmentOptions.LibraryPath", tried);
        }

        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return LoadConfigured(fromEnvironment, LibraryPathVariable, tried);
        }

        foreach (var folder in new[] { AppContext.BaseDirectory, CacheDirectory() })
        {
            foreach (var name in FileNames())
            {
                var candidate = System.IO.Path.Combine(folder, name);
                if (TryLoadFile(candidate, tried, out var handle))
                {
                    return (handle, candidate);
                }
            }
        }

        foreach (var name in FileNames())
        {
            if (TryLoad(name, tried, out var handle))
            {
                return (handle, name);
            }
        }

        throw new DllNotFoundException(
            "The ONNX Runtime native library was not found. Set " + LibraryPathVariable +
            " (file or folder) or run eng/setup.sh. Looked in:" + Environment.NewLine + tried);
    }

    private static (nint Handle, string Path) LoadConfigured(string configured, string source, StringBuilder tried)
    {
        var candidates = Directory.Exists(configured)
            ? FileNames().Select(n => System.IO.Path.Combine(configured, n)).ToArray()
            : [configured];
        foreach (var candidate in candidates)
        {
            if (TryLoadFile(candidate, tried, out var handle))
            {
                return (handle, candidate);
            }
        }

        throw new DllNotFoundException(
            $"The ONNX Runtime library configured by {source} ('{configured}') could not be loaded. Looked in:" +
            Environment.NewLine + tried);
    }

    private static bool TryLoadFile(string path, StringBuilder tried, out nint handle)
    {
        if (!File.Exists(path))
        {
            tried.Append("  ").Append(path).AppendLine(" (not found)");
            handle = 0;
            return false;
        }

        return TryLoad(path, tried, out handle);
    }

    private static bool TryLoad(string nameOrPath, StringBuilder tried, out nint handle)
    {
        try
        {
            handle = NativeLibrary.Load(nameOrPath);
            return true;
        }
        catch (DllNotFoundException ex)
        {
            tried.Append("  ").Append(nameOrPath).Append(" (").Append(ex.Message).AppendLine(")");
        }
        catch (BadImageFormatException ex)
        {
            tried.Append("  ").Append(nameOrPath).Append(" (").Append(ex.Message).AppendLine(")");
        }

        handle = 0;
        return false;
    }

    /// <summary>Throws when <paramref name="status"/> is an error; always releases it.</summary>
    public static void ThrowIfFailed(nint status)
    {
        if (status == 0)
        {
            return;
        }

        var api = s_api;
        OrtErrorCode code;
        string message;
        try
        {
            code = (OrtErrorCode)api->GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)api->GetErrorMessage(status)) ?? string.Empty;
        }
        finally
        {
            api->ReleaseStatus(status);
        }

        throw new OnnxRuntimeException(code, message);
    }

    /// <summary>Like <see cref="ThrowIfFailed"/> but returns the failure instead of throwing it.</summary>
    public static OnnxRuntimeException? ToException(nint status)
    {
        try
        {
            ThrowIfFailed(status);
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            return ex;
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="value"/> in unmanaged memory; free with <see cref="NativeMemory.Free"/>.</summary>
    public static byte* ToUtf8(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        var written = Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, length));
        buffer[written] = 0;
        return buffer;
    }
}
