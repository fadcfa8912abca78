namespace MlAspire.Inference.Service.Model;

/// <summary>A model's config.json, labels or files are unusable; the message lists every problem.</summary>
internal sealed class ModelConfigException : Exception
{
    public ModelConfigException(string message)
        : base(message)
    {
    }

    public ModelConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelConfigException()
    {
    }
}
