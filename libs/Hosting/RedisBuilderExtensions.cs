namespace MlAspire.Hosting;

public static class RedisBuilderExtensions
{
    /// <summary>Adds Redis with a <c>tcp</c> endpoint (target port 6379). Without <see cref="WithPassword"/>,
    /// a generated secret parameter <c>&lt;name&gt;-password</c> is added at <c>Build</c>.</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        return builder.AddResource(new RedisResource(name))
            .WithEndpoint(RedisResource.EndpointName, scheme: "tcp", transport: "tcp", port: port, targetPort: RedisResource.DefaultTargetPort);
    }

    public static IResourceBuilder<RedisResource> WithPassword(this IResourceBuilder<RedisResource> builder, IResourceBuilder<ParameterResource> password)
    {
        builder.Resource.PasswordParameter = password.Resource;
        return builder;
    }

    /// <summary>Keeps the data across runs: a named volume at <c>/data</c> when deployed, a folder under the
    /// AppHost state folder in run mode.</summary>
    public static IResourceBuilder<RedisResource> WithDataVolume(this IResourceBuilder<RedisResource> builder, string? name = null)
    {
        var volume = name ?? $"{builder.ApplicationBuilder.ApplicationName()}-{builder.Resource.Name}-data";
        builder.Resource.HasDataVolume = true;
        return builder.WithVolume(volume, "/data");
    }

    /// <summary>Append-only persistence with fsync on every write (<c>--appendonly yes --appendfsync always</c>).</summary>
    public static IResourceBuilder<RedisResource> WithAppendOnlyPersistence(this IResourceBuilder<RedisResource> builder)
    {
        builder.Resource.AppendOnly = true;
        return builder;
    }

    /// <summary>Run mode starts <paramref name="serverCommand"/> as a process (the default) rather than a container.</summary>
    public static IResourceBuilder<RedisResource> WithRedisServerProcess(this IResourceBuilder<RedisResource> builder, string serverCommand = "redis-server")
    {
        builder.Resource.UseServerProcess = true;
        builder.Resource.ServerCommand = serverCommand;
        return builder;
    }

    /// <summary>Run mode starts the Redis container image with <c>docker run</c> instead of a local process.</summary>
    public static IResourceBuilder<RedisResource> RunAsContainer(this IResourceBuilder<RedisResource> builder)
    {
        builder.Resource.UseServerProcess = false;
        return builder;
    }

    /// <summary>Lower-case AppHost name used in volume names: stable across machines, unlike Aspire's path hash.</summary>
    internal static string ApplicationName(this IDistributedApplicationBuilder builder) =>
        Path.GetFileName(builder.AppHostDirectory.TrimEnd(Path.DirectorySeparatorChar)).ToLowerInvariant() switch
        {
            { Length: > 0 } name => "mlaspire-" + new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]),
            _ => "mlaspire-apphost",
        };
}
