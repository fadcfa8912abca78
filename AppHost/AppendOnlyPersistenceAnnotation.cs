namespace MlAspire.AppHost;

/// <summary>Marks a Redis resource whose data is kept in an append-only file (<c>appendonly yes</c>), fsynced per
/// <see cref="FsyncPolicy"/> (<c>always</c>, <c>everysec</c> or <c>no</c>).</summary>
internal sealed class AppendOnlyPersistenceAnnotation(string fsyncPolicy) : IResourceAnnotation
{
    public string FsyncPolicy { get; } = fsyncPolicy;
}
