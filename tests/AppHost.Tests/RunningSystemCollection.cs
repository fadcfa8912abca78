namespace MlAspire.AppHost.Tests;

/// <summary>The run-mode tests share one running system: starting it is the expensive part.</summary>
[CollectionDefinition(Name)]
public sealed class RunningSystemCollection : ICollectionFixture<RunningSystem>
{
    public const string Name = "running system";
}
