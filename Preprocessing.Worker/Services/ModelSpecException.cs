namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>A model's metadata cannot drive image preprocessing (no preprocessing block, unsupported input, ...).</summary>
internal sealed class ModelSpecException : Exception
{
    public ModelSpecException()
    {
    }

    public ModelSpecException(string message)
        : base(message)
    {
    }

    public ModelSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
