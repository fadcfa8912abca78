namespace MlAspire.Hosting;

/// <summary>A resource's connection string: <c>{name.connectionString}</c>.</summary>
public sealed class ConnectionStringReference : ValueReference
{
    internal ConnectionStringReference(IResourceWithConnectionString target) => Target = target;

    public IResourceWithConnectionString Target { get; }

    public override Resource Resource => (Resource)Target;

    public override string ManifestExpression => $"{{{Resource.Name}.connectionString}}";

    internal override string Resolve(ResolutionContext context) =>
        Target.ConnectionStringExpression.Resolve(context with { Self = Resource, SelfReplica = 0 });
}
