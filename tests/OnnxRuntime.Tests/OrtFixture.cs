namespace MlAspire.OnnxRuntime.Tests;

/// <summary>One ONNX Runtime environment for the test run (ONNX Runtime keeps one per process anyway).</summary>
public sealed class OrtFixture : IDisposable
{
    public OrtFixture()
    {
        Environment = OrtEnvironment.Create(new OrtEnvironmentOptions { LogLevel = OrtLoggingLevel.Warning }, Logger);
    }

    internal CapturingLogger Logger { get; } = new();

    public OrtEnvironment Environment { get; }

    public void Dispose() => Environment.Dispose();
}
