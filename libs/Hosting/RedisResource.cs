namespace MlAspire.Hosting;

/// <summary>Redis. Run mode starts a local <c>redis-server</c> process by default (no container engine
/// needed); the manifest describes the official container image.</summary>
public sealed class RedisResource : ContainerResource, IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    internal const int DefaultTargetPort = 6379;
    internal const string DefaultImage = "docker.io/library/redis";
    internal const string DefaultTag = "7.4";

    internal RedisResource(string name)
        : base(name, DefaultImage, DefaultTag)
    {
    }

    /// <summary>The password; when none was given <c>Build</c> adds a generated secret <c>&lt;name&gt;-password</c>.</summary>
    public ParameterResource? PasswordParameter { get; internal set; }

    /// <summary>Keep data across runs (a data volume when deployed, a folder under the AppHost state folder in run mode).</summary>
    public bool HasDataVolume { get; internal set; }

    /// <summary>Append-only file persistence, every write fsynced (<c>--appendonly yes --appendfsync always</c>).</summary>
    public bool AppendOnly { get; internal set; }

    /// <summary>True (default): run mode starts <c>redis-server</c> directly; false: <c>docker run</c> of the image.</summary>
    public bool UseServerProcess { get; internal set; } = true;

    /// <summary>The <c>redis-server</c> program used in run mode.</summary>
    public string ServerCommand { get; internal set; } = "redis-server";

    public EndpointReference PrimaryEndpoint => GetEndpoint(EndpointName);

    public ReferenceExpression ConnectionStringExpression => PasswordParameter is null
        ? ReferenceExpression.Create($"{PrimaryEndpoint.Host}:{PrimaryEndpoint.Port}")
        : ReferenceExpression.Create($"{PrimaryEndpoint.Host}:{PrimaryEndpoint.Port},password={PasswordParameter}");

    /// <summary>The <c>redis-server</c> options beyond the password, shared by both run styles and the manifest.</summary>
    internal IReadOnlyList<string> PersistenceArguments => AppendOnly
        ? ["--appendonly", "yes", "--appendfsync", "always"]
        : HasDataVolume ? ["--save", "60", "1"] : [];
}
