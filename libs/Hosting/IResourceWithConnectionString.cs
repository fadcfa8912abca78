namespace MlAspire.Hosting;

/// <summary>A resource other resources reach through <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    ReferenceExpression ConnectionStringExpression { get; }
}
