namespace MlAspire.Hosting;

/// <summary>A value known only when the application runs or is deployed: an endpoint's URL or port, a
/// parameter's value, a connection string. Run mode resolves it to text; the manifest writes it as an
/// expression such as <c>{redis.connectionString}</c>.</summary>
public abstract class ValueReference
{
    private protected ValueReference()
    {
    }

    /// <summary>The resource whose value this is.</summary>
    public abstract Resource Resource { get; }

    /// <summary>The manifest form, e.g. <c>{inference.bindings.grpc.url}</c>.</summary>
    public abstract string ManifestExpression { get; }

    public override string ToString() => ManifestExpression;

    internal abstract string Resolve(ResolutionContext context);
}
