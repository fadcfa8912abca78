namespace MlAspire.OnnxRuntime;

/// <summary>Options of the process-wide <see cref="OrtEnvironment"/>.</summary>
public sealed class OrtEnvironmentOptions
{
    /// <summary>
    /// The ONNX Runtime library file, or the folder holding it. When unset: <c>MLASPIRE_ORT_LIBRARY</c>, the
    /// application's folder, <c>$MLASPIRE_CACHE/onnxruntime/1.30.0/&lt;rid&gt;</c> (default cache
    /// <c>~/.cache/mlaspire</c>), then the system loader.
    /// </summary>
    public string? LibraryPath { get; set; }

    /// <summary>Least severe ONNX Runtime message forwarded to the logger.</summary>
    public OrtLoggingLevel LogLevel { get; set; } = OrtLoggingLevel.Warning;

    /// <summary>Identifier ONNX Runtime prints with its log lines.</summary>
    public string LogId { get; set; } = "mlaspire";
}
