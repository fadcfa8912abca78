namespace MlAspire.OnnxRuntime.Tests;

[CollectionDefinition(Name)]
public sealed class OrtCollection : ICollectionFixture<OrtFixture>
{
    public const string Name = "onnxruntime";
}
