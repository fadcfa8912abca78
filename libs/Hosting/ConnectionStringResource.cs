namespace MlAspire.Hosting;

/// <summary>An existing service's connection string, read from configuration <c>ConnectionStrings:&lt;name&gt;</c>.</summary>
public sealed class ConnectionStringResource : ParameterResource, IResourceWithConnectionString
{
    internal ConnectionStringResource(string name)
        : base(name, secret: true, generateDefault: null)
    {
    }

    public override string ConfigurationKey => $"ConnectionStrings:{Name}";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(ValueReference);
}
