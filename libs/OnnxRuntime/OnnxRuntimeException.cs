namespace MlAspire.OnnxRuntime;

/// <summary>An error reported by ONNX Runtime, or an input the binding rejected before calling it.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException()
        : this(OrtErrorCode.Fail, "ONNX Runtime reported an error.")
    {
    }

    public OnnxRuntimeException(string message)
        : this(OrtErrorCode.Fail, message)
    {
    }

    public OnnxRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = OrtErrorCode.Fail;
    }

    public OnnxRuntimeException(OrtErrorCode errorCode, string message)
        : base($"[{errorCode}] {message}")
    {
        ErrorCode = errorCode;
        NativeMessage = message;
    }

    /// <summary>The <c>OrtErrorCode</c> of the failure.</summary>
    public OrtErrorCode ErrorCode { get; }

    /// <summary>The message as ONNX Runtime (or the binding) wrote it, without the code prefix.</summary>
    public string NativeMessage { get; } = string.Empty;
}
