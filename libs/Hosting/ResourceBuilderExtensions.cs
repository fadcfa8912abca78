namespace MlAspire.Hosting;

/// <summary>The builder methods shared by every resource kind (Aspire names and meanings).</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Injects <c>ConnectionStrings__&lt;name&gt;</c> (resources with a connection string) or
    /// <c>services__&lt;name&gt;__&lt;endpoint&gt;__&lt;i&gt;</c> for every endpoint and replica of <paramref name="source"/>.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> source, string? connectionName = null)
        where T : Resource
    {
        builder.Resource.AddReference(source.Resource);
        builder.Resource.AddEnvironment(new ResourceReferenceEntry(source.Resource, connectionName));
        return builder;
    }

    /// <summary>Starts this resource only after every replica of <paramref name="dependency"/> is healthy
    /// (its health check passes, or it is running when it has none).</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency)
        where T : Resource
    {
        builder.Resource.AddWaitFor(dependency.Resource);
        return builder;
    }

    /// <summary>Runs <paramref name="replicas"/> processes of this resource in run mode (not in the manifest).</summary>
    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : Resource
    {
        builder.Resource.Replicas = replicas;
        return builder;
    }

    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string? name = null, string? env = null)
        where T : Resource =>
        builder.WithEndpoint(name ?? "http", "http", "http", port, targetPort, env);

    /// <summary>Adds an endpoint; <paramref name="transport"/> <c>http2</c> means HTTP/2 only (gRPC without TLS).</summary>
    public static IResourceBuilder<T> WithEndpoint<T>(
        this IResourceBuilder<T> builder,
        string name,
        string scheme = "http",
        string? transport = null,
        int? port = null,
        int? targetPort = null,
        string? env = null,
        bool isExternal = false)
        where T : Resource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        transport ??= scheme is "http" or "https" ? "http" : "tcp";
        builder.Resource.AddEndpoint(new EndpointAnnotation(name, scheme, transport, port, targetPort, env, isExternal));
        return builder;
    }

    /// <summary>Marks every HTTP endpoint as reachable from outside the deployment (<c>external: true</c>).</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : Resource
    {
        foreach (var endpoint in builder.Resource.Endpoints.Where(e => e.IsHttp))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string key, string value)
        where T : Resource => builder.WithEnvironment(key, ReferenceExpression.Literal(value));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string key, IResourceBuilder<ParameterResource> parameter)
        where T : Resource => builder.WithEnvironment(key, ReferenceExpression.Create(parameter.Resource.ValueReference));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string key, EndpointReference endpoint)
        where T : Resource => builder.WithEnvironment(key, ReferenceExpression.Create(endpoint.Url));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string key, ReferenceExpression value)
        where T : Resource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        builder.Resource.AddEnvironment(new EnvironmentVariableEntry(key, value));
        return builder;
    }

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args)
        where T : Resource
    {
        builder.Resource.AddArgs(args.Select(ReferenceExpression.Literal));
        return builder;
    }

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params ReferenceExpression[] args)
        where T : Resource
    {
        builder.Resource.AddArgs(args);
        return builder;
    }

    /// <summary>Healthy when GET <paramref name="path"/> on the endpoint returns 200 (every replica).</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string? endpointName = null)
        where T : Resource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        endpointName ??= builder.Resource.Endpoints.FirstOrDefault(e => e.Scheme == "http" && e.Transport == "http")?.Name ?? "http";
        builder.Resource.HealthCheck = new HealthCheckAnnotation(path.StartsWith('/') ? path : "/" + path, endpointName);
        return builder;
    }

    /// <summary>Asks for <paramref name="count"/> GPUs; recorded for the container and Kubernetes publishers.</summary>
    public static IResourceBuilder<T> WithGpu<T>(this IResourceBuilder<T> builder, int count = 1)
        where T : Resource
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        builder.Resource.GpuCount = count;
        return builder;
    }

    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name)
        where T : Resource => builder.Resource.GetEndpoint(name);
}
