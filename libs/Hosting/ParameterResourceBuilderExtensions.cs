namespace MlAspire.Hosting;

public static class ParameterResourceBuilderExtensions
{
    /// <summary>Adds a parameter read from configuration <c>Parameters:&lt;name&gt;</c>. With
    /// <paramref name="generateDefault"/>, a missing value is generated (once per run) instead of being an error.</summary>
    public static IResourceBuilder<ParameterResource> AddParameter(
        this IDistributedApplicationBuilder builder, string name, bool secret = false, GenerateParameterDefault? generateDefault = null) =>
        builder.AddResource(new ParameterResource(name, secret, generateDefault));

    /// <summary>Adds an existing service's connection string read from configuration <c>ConnectionStrings:&lt;name&gt;</c>.</summary>
    public static IResourceBuilder<ConnectionStringResource> AddConnectionString(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new ConnectionStringResource(name));
}
