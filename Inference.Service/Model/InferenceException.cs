namespace MlAspire.Inference.Service.Model;

/// <summary>An expected inference failure with a message fit for the caller (never native or exception text).</summary>
internal sealed class InferenceException : Exception
{
    public InferenceException(InferenceError error, string message)
        : base(message) => Error = error;

    public InferenceException(InferenceError error, string message, Exception innerException)
        : base(message, innerException) => Error = error;

    public InferenceException()
    {
    }

    public InferenceException(string message)
        : base(message)
    {
    }

    public InferenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InferenceError Error { get; } = InferenceError.Internal;
}
