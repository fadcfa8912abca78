namespace MlAspire.Hosting;

/// <summary><c>WithReference(resource)</c>: expands when the environment is built, to
/// <c>ConnectionStrings__&lt;name&gt;</c> for a resource with a connection string, and to
/// <c>services__&lt;name&gt;__&lt;endpoint&gt;__&lt;i&gt;</c> for every endpoint and replica of a resource
/// with endpoints (the manifest shows replica 0 only, as Aspire does).</summary>
public sealed record ResourceReferenceEntry(Resource Target, string? ConnectionName) : EnvironmentEntry;
