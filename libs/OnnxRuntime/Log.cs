using Microsoft.Extensions.Logging;

namespace MlAspire.OnnxRuntime;

/// <summary>Log messages of the ONNX Runtime binding (event ids 5000-5099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Message = "onnxruntime [{Category}] {LogId} {CodeLocation}: {NativeMessage}")]
    public static partial void NativeMessage(
        ILogger logger, LogLevel level, string category, string logId, string codeLocation, string nativeMessage);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Loaded ONNX Runtime {Version} from {LibraryPath} (C API version {ApiVersion})")]
    public static partial void LibraryLoaded(ILogger logger, string version, string libraryPath, uint apiVersion);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "CUDA execution provider unavailable for model {Model}; running on CPU. Reason: {Reason}")]
    public static partial void CudaUnavailable(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "Session for model {Model} created on {ExecutionProvider} ({InputCount} inputs, {OutputCount} outputs)")]
    public static partial void SessionCreated(
        ILogger logger, string model, string executionProvider, int inputCount, int outputCount);
}
