namespace MlAspire.Imaging.Tests.Infrastructure;

/// <summary>Shares one generated corpus between the test classes that need it.</summary>
[CollectionDefinition(Name)]
public sealed class TestImagesCollection : ICollectionFixture<TestImages>
{
    public const string Name = "ImageMagick corpus";
}
