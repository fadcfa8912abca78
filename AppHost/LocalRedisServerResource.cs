namespace MlAspire.AppHost;

/// <summary>Redis as a local <c>redis-server</c> process (Debian's <c>redis-server</c> package) instead of a container:
/// what <c>AddRedis</c> becomes in run mode on a machine with no container runtime. Its connection string has exactly
/// the shape <c>AddRedis</c> gives (<c>host:port,password=...</c>), so services cannot tell the two apart.</summary>
/// <param name="name">The resource name, also the connection string name (<c>ConnectionStrings__{name}</c>).</param>
/// <param name="password">The password parameter; the server reads it from a config file readable only by its owner.</param>
/// <param name="stateDirectory">Where the config file and the append-only file live (also the working directory).</param>
internal sealed class LocalRedisServerResource(string name, ParameterResource password, string stateDirectory)
    : ExecutableResource(name, "redis-server", stateDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public string StateDirectory { get; } = stateDirectory;

    /// <summary>The config file the server starts from: password, persistence, data folder.</summary>
    public string ConfigFile => Path.Combine(StateDirectory, "redis.conf");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties()
    {
        yield return new("Host", ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Host)}"));
        yield return new("Port", ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Port)}"));
        yield return new("Password", ReferenceExpression.Create($"{PasswordParameter}"));
        yield return new("Uri", ReferenceExpression.Create(
            $"{PrimaryEndpoint.Property(EndpointProperty.Scheme)}://:{PasswordParameter:uri}@{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}"));
    }
}
