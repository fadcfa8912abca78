namespace MlAspire.Hosting.Publishing;

/// <summary>Derives what every container publisher needs from the app model, with the same environment
/// conventions as run mode (<c>ConnectionStrings__*</c>, <c>services__*__*__0</c>, <c>OTEL_*</c>, Kestrel
/// endpoints) but with in-cluster addresses: host = resource name, port = the endpoint's target port.</summary>
internal static class DeploymentModel
{
    public const string LivenessPath = "/alive";

    public static IReadOnlyList<DeployedResource> Create(IReadOnlyList<Resource> resources, PublishOptions options)
    {
        var deployed = new List<DeployedResource>();
        foreach (var resource in resources.Where(r => r.IsRunnable))
        {
            deployed.Add(resource switch
            {
                ProjectResource project => CreateProject(project, options),
                ContainerResource container => CreateContainer(container),
                _ => throw new DistributedApplicationException(
                    $"{resource} cannot be published as a container: only projects, containers and Redis can (add it with AddContainer instead)."),
            });
        }

        return deployed;
    }

    /// <summary>Parameter variable name, e.g. <c>PARAMETER_REDIS_PASSWORD</c> for <c>redis-password</c>.</summary>
    public static string ParameterVariable(ParameterResource parameter) => DeployedResource.VariableName("PARAMETER", parameter.Name);

    private static DeployedResource CreateProject(ProjectResource project, PublishOptions options)
    {
        var ports = Ports(project);
        var env = new List<KeyValuePair<string, DeploymentValue>>();
        foreach (var (key, value) in EnvironmentExpander.OtelDefaults)
        {
            env.Add(new(key, DeploymentValue.Literal(value)));
        }

        env.Add(new("OTEL_SERVICE_NAME", DeploymentValue.Literal(project.Name)));
        var http = ports.Where(p => p.Endpoint.IsHttp).ToList();
        if (http.Count > 0)
        {
            env.Add(new("ASPNETCORE_FORWARDEDHEADERS_ENABLED", DeploymentValue.Literal("true")));
            if (!EnvironmentExpander.UsesKestrelEndpoints(project))
            {
                env.Add(new("HTTP_PORTS", DeploymentValue.Literal(string.Join(';', http.Where(p => p.Endpoint.Scheme == "http").Select(p => p.TargetPort)))));
            }
            else
            {
                foreach (var port in http)
                {
                    env.Add(new($"Kestrel__Endpoints__{port.Name}__Url", DeploymentValue.Literal($"{port.Endpoint.Scheme}://*:{port.TargetPort}")));
                    if (port.Endpoint.Transport == "http2")
                    {
                        env.Add(new($"Kestrel__Endpoints__{port.Name}__Protocols", DeploymentValue.Literal("Http2")));
                    }
                }
            }
        }

        AddResourceEnvironment(project, ports, env);
        return new DeployedResource
        {
            Resource = project,
            Image = options.ImageName(project.Name),
            ImageReference = $"{options.ImageName(project.Name)}:{options.Tag}",
            Ports = ports,
            Environment = Merge(env),
            Args = [.. project.Args.Select(Resolve)],
            Volumes = [],
        };
    }

    private static DeployedResource CreateContainer(ContainerResource container)
    {
        var ports = Ports(container);
        var env = new List<KeyValuePair<string, DeploymentValue>>();
        var args = new List<DeploymentValue>();
        var entrypoint = container.Entrypoint;
        if (container is RedisResource redis)
        {
            if (redis.PasswordParameter is { } password)
            {
                env.Add(new(RedisCommandLine.PasswordVariable, Resolve(ReferenceExpression.Create(password.ValueReference))));
            }

            entrypoint = RedisCommandLine.Entrypoint;
            args.AddRange(RedisCommandLine.ContainerArgs(redis).Select(DeploymentValue.Literal));
        }

        args.AddRange(container.Args.Select(Resolve));
        AddResourceEnvironment(container, ports, env);
        return new DeployedResource
        {
            Resource = container,
            Image = container.Image,
            ImageReference = $"{container.Image}:{container.Tag}",
            Ports = ports,
            Environment = Merge(env),
            Entrypoint = entrypoint,
            Args = args,
            Volumes = container.Volumes,
        };
    }

    private static void AddResourceEnvironment(Resource resource, IReadOnlyList<DeployedPort> ports, List<KeyValuePair<string, DeploymentValue>> env)
    {
        foreach (var port in ports.Where(p => p.Endpoint.EnvironmentVariable is not null))
        {
            env.Add(new(port.Endpoint.EnvironmentVariable!, DeploymentValue.Literal(port.TargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        // One name per Service: replica 0's variable, as Aspire's manifest (the Service balances across pods).
        foreach (var (key, value) in EnvironmentExpander.Expand(resource, allReplicas: false))
        {
            env.Add(new(key, Resolve(value)));
        }
    }

    private static List<DeployedPort> Ports(Resource resource)
    {
        var targetPorts = ManifestPublisher.TargetPorts(resource);
        return [.. resource.Endpoints.Select(e => new DeployedPort(e, targetPorts[e.Name]
            ?? throw new DistributedApplicationException($"Endpoint '{e.Name}' of {resource} needs a targetPort to be published as a container.")))];
    }

    /// <summary>A later entry wins and keeps the first one's position (as the manifest does).</summary>
    private static List<KeyValuePair<string, DeploymentValue>> Merge(List<KeyValuePair<string, DeploymentValue>> env)
    {
        var merged = new OrderedDictionary<string, DeploymentValue>(StringComparer.Ordinal);
        foreach (var (key, value) in env)
        {
            merged[key] = value;
        }

        return [.. merged];
    }

    public static DeploymentValue Resolve(ReferenceExpression expression)
    {
        var parts = new List<DeploymentValuePart>();
        Append(parts, expression, depth: 0);

        // Join adjacent literals so formats see one piece per run of text.
        var joined = new List<DeploymentValuePart>();
        foreach (var part in parts)
        {
            if (part.Literal is not null && joined.Count > 0 && joined[^1].Literal is { } previous)
            {
                joined[^1] = new DeploymentValuePart(previous + part.Literal, null);
            }
            else
            {
                joined.Add(part);
            }
        }

        return new DeploymentValue(joined.Count == 0 ? [new DeploymentValuePart("", null)] : joined);
    }

    private static void Append(List<DeploymentValuePart> parts, ReferenceExpression expression, int depth)
    {
        if (depth > 16)
        {
            throw new DistributedApplicationException($"Expression '{expression.ManifestExpression}' nests connection strings too deeply.");
        }

        foreach (var segment in expression.Segments)
        {
            switch (segment.Value)
            {
                case null:
                    parts.Add(new DeploymentValuePart(segment.Literal ?? "", null));
                    break;
                case ParameterValueReference parameter:
                    parts.Add(new DeploymentValuePart(null, parameter.Parameter));
                    break;
                case ConnectionStringReference connection:
                    Append(parts, connection.Target.ConnectionStringExpression, depth + 1);
                    break;
                case EndpointReferenceExpression endpoint:
                    parts.Add(new DeploymentValuePart(EndpointValue(endpoint), null));
                    break;
                default:
                    throw new DistributedApplicationException($"'{segment.Value.ManifestExpression}' cannot be published as a container value.");
            }
        }
    }

    /// <summary>In-cluster form of an endpoint property: the resource name is the DNS name (Kubernetes Service,
    /// Compose service) and the Service port equals the target port.</summary>
    private static string EndpointValue(EndpointReferenceExpression expression)
    {
        var resource = expression.Endpoint.Resource;
        var endpoint = resource.Endpoints.FirstOrDefault(e => e.Name == expression.Endpoint.EndpointName)
            ?? throw new DistributedApplicationException($"Resource '{resource.Name}' has no endpoint named '{expression.Endpoint.EndpointName}'.");
        var port = ManifestPublisher.TargetPorts(resource)[endpoint.Name]
            ?? throw new DistributedApplicationException($"Endpoint '{endpoint.Name}' of {resource} needs a targetPort to be published as a container.");
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return expression.Property switch
        {
            EndpointProperty.Url => $"{endpoint.Scheme}://{resource.Name}:{portText}",
            EndpointProperty.Host => resource.Name,
            EndpointProperty.Port or EndpointProperty.TargetPort => portText,
            EndpointProperty.Scheme => endpoint.Scheme,
            _ => throw new DistributedApplicationException($"Endpoint property {expression.Property} cannot be published."),
        };
    }
}
