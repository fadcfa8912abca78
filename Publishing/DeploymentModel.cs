using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace MlAspire.Publishing;

/// <summary>Adapts Aspire's <see cref="DistributedApplicationModel"/> to what the container publishers write:
/// it runs each resource's environment and argument callbacks in publish mode, as Aspire's own publishers do,
/// and resolves every reference to its in-cluster form: host = resource name, port = the endpoint's target port
/// (so the same values work as Kubernetes Service names and compose service names). Parameter values stay
/// holes; nothing here ever reads one.</summary>
internal sealed class DeploymentModel
{
    /// <summary>Target port of a project's default HTTP endpoint, for which Aspire leaves the port to the
    /// deployment tool: the .NET container images' <c>ASPNETCORE_HTTP_PORTS</c>.</summary>
    public const int DefaultHttpPort = 8080;

    /// <summary>The variable Aspire's <c>AddRedis</c> hands the password to <c>redis-server</c> in; probes use it too.</summary>
    public const string RedisPasswordVariable = "REDIS_PASSWORD";

    private readonly Dictionary<(IResource Resource, string Endpoint), DeployedPort> _ports = [];
    private readonly DistributedApplicationExecutionContext _executionContext;
    private readonly ContainerImageOptions _options;
    private readonly ILogger _logger;

    private DeploymentModel(DistributedApplicationExecutionContext executionContext, ContainerImageOptions options, ILogger logger)
    {
        _executionContext = executionContext;
        _options = options;
        _logger = logger;
    }

    /// <summary>Every project and container of the model that is published, in model order.</summary>
    public static async Task<IReadOnlyList<DeployedResource>> CreateAsync(
        DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext, ContainerImageOptions options, ILogger logger,
        CancellationToken cancellationToken = default)
    {
        var adapter = new DeploymentModel(executionContext, options, logger);
        var published = new List<IResource>();
        foreach (var resource in model.Resources.Where(r => !r.IsExcludedFromPublish()))
        {
            switch (resource)
            {
                case ProjectResource or ContainerResource:
                    published.Add(resource);
                    adapter.AssignPorts(resource);
                    break;
                case IComputeResource:
                    throw new DistributedApplicationException(
                        $"Resource '{resource.Name}' ({resource.GetType().Name}) cannot be published as a container: only projects and containers can.");
                default:
                    break; // parameters, connection strings, values: referenced, not deployed
            }
        }

        var deployed = new List<DeployedResource>();
        foreach (var resource in published)
        {
            deployed.Add(await adapter.CreateAsync(resource, cancellationToken).ConfigureAwait(false));
        }

        return deployed;
    }

    /// <summary>Parameter variable name, e.g. <c>PARAMETER_REDIS_PASSWORD</c> for <c>redis-password</c>.</summary>
    public static string ParameterVariable(ParameterResource parameter) => DeployedResource.VariableName("PARAMETER", parameter.Name);

    /// <summary>Aspire's own rule (<see cref="ResourceExtensions.ResolveEndpoints"/>, as its manifest and
    /// publishers use it): an explicit target port stays, a container's exposed port is its target port, other
    /// endpoints get 8000, 8001, ...; a project's default HTTP endpoint gets <see cref="DefaultHttpPort"/>.</summary>
    private void AssignPorts(IResource resource)
    {
        var allocator = new PortAllocator();
        allocator.AddUsedPort(DefaultHttpPort);
        foreach (var resolved in resource.ResolveEndpoints(allocator))
        {
            var endpoint = resolved.Endpoint;
            var name = endpoint.Name;
            if (name.Length > 15 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || !name.Any(char.IsAsciiLetterLower))
            {
                throw new DistributedApplicationException(
                    $"Endpoint '{name}' of '{resource.Name}' cannot name a Kubernetes port (at most 15 lower-case letters, digits and '-', with a letter).");
            }

            _ports[(resource, name)] = new DeployedPort(name, endpoint.UriScheme, endpoint.Transport, endpoint.IsExternal, resolved.TargetPort.Value ?? DefaultHttpPort);
        }
    }

    private async Task<DeployedResource> CreateAsync(IResource resource, CancellationToken cancellationToken)
    {
        var ports = _ports.Where(p => ReferenceEquals(p.Key.Resource, resource)).Select(p => p.Value).ToList();
        var environment = await EnvironmentAsync(resource, cancellationToken).ConfigureAwait(false);
        var args = await ArgumentsAsync(resource, cancellationToken).ConfigureAwait(false);
        var probes = resource.Annotations.OfType<EndpointProbeAnnotation>()
            .ToDictionary(p => p.Type, p => new DeployedProbe(
                p.Path,
                ports.FirstOrDefault(port => port.Name == p.EndpointReference.EndpointName)
                    ?? throw new DistributedApplicationException($"The {p.Type} probe of '{resource.Name}' uses endpoint '{p.EndpointReference.EndpointName}', which it does not have."),
                p.InitialDelaySeconds, p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold));
        var waitFor = resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Distinct(StringComparer.Ordinal).ToList();
        var gpus = resource.Annotations.OfType<GpuAnnotation>().LastOrDefault()?.Count ?? 0;

        if (resource is ProjectResource project)
        {
            if (!environment.Any(e => e.Key == "OTEL_SERVICE_NAME"))
            {
                // Aspire sets it only in run mode; the services name their telemetry by it.
                environment.Add(new("OTEL_SERVICE_NAME", DeploymentValue.Literal(project.Name)));
            }

            return new DeployedResource
            {
                Resource = project,
                ProjectPath = project.GetProjectMetadata().ProjectPath,
                Image = _options.ImageName(project.Name),
                ImageReference = $"{_options.ImageName(project.Name)}:{_options.Tag}",
                Ports = ports,
                Environment = environment,
                Args = args,
                Volumes = [],
                Replicas = project.GetReplicaCount(),
                GpuCount = gpus,
                WaitFor = waitFor,
                StartupProbe = probes.GetValueOrDefault(ProbeType.Startup),
                ReadinessProbe = probes.GetValueOrDefault(ProbeType.Readiness),
                LivenessProbe = probes.GetValueOrDefault(ProbeType.Liveness),
                DockerfileOptions = project.Annotations.OfType<DockerfileOptionsAnnotation>().SingleOrDefault(),
                AutoscalingMetrics = [.. project.Annotations.OfType<AutoscalingMetricAnnotation>()],
            };
        }

        var container = (ContainerResource)resource;
        if (!container.TryGetContainerImageName(out var image))
        {
            throw new DistributedApplicationException($"Container '{container.Name}' has no image.");
        }

        return new DeployedResource
        {
            Resource = container,
            IsRedis = container is RedisResource,
            Image = image,
            ImageReference = image,
            Ports = ports,
            Environment = environment,
            Entrypoint = container.Entrypoint,
            Args = args,
            Volumes = Volumes(container),
            Replicas = container.GetReplicaCount(),
            GpuCount = gpus,
            WaitFor = waitFor,
            StartupProbe = probes.GetValueOrDefault(ProbeType.Startup),
            ReadinessProbe = probes.GetValueOrDefault(ProbeType.Readiness),
            LivenessProbe = probes.GetValueOrDefault(ProbeType.Liveness),
            AutoscalingMetrics = [.. container.Annotations.OfType<AutoscalingMetricAnnotation>()],
        };
    }

    /// <summary>Named volumes as <c>&lt;resource&gt;-data</c> (<c>-data-2</c>, ...): Aspire's generated names carry a
    /// hash of the AppHost's path and dots, which Kubernetes volume names do not allow.</summary>
    private static List<DeployedVolume> Volumes(ContainerResource container)
    {
        var volumes = new List<DeployedVolume>();
        if (!container.TryGetContainerMounts(out var mounts))
        {
            return volumes;
        }

        foreach (var mount in mounts)
        {
            if (mount.Type != ContainerMountType.Volume)
            {
                throw new DistributedApplicationException(
                    $"'{container.Name}' bind-mounts '{mount.Source}' from this machine, which a cluster or another Docker host does not have; use a volume (WithDataVolume) instead.");
            }

            var name = volumes.Count == 0 ? $"{container.Name}-data" : $"{container.Name}-data-{volumes.Count + 1}";
            volumes.Add(new DeployedVolume(name, mount.Target, mount.IsReadOnly));
        }

        return volumes;
    }

    private async Task<List<KeyValuePair<string, DeploymentValue>>> EnvironmentAsync(IResource resource, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        if (resource.TryGetAnnotationsOfType<EnvironmentCallbackAnnotation>(out var callbacks))
        {
            var context = new EnvironmentCallbackContext(_executionContext, resource, values, cancellationToken);
            foreach (var callback in callbacks)
            {
                await callback.Callback(context).ConfigureAwait(false);
            }
        }

        var environment = new List<KeyValuePair<string, DeploymentValue>>();
        foreach (var (key, value) in values)
        {
            try
            {
                environment.Add(new(key, Resolve(resource, value)));
            }
            catch (NotSupportedException ex)
            {
                Log.VariableLeftOut(_logger, resource.Name, key, ex.Message);
            }
        }

        return environment;
    }

    private async Task<List<DeploymentValue>> ArgumentsAsync(IResource resource, CancellationToken cancellationToken)
    {
        var values = new List<object>();
        if (resource.TryGetAnnotationsOfType<CommandLineArgsCallbackAnnotation>(out var callbacks))
        {
            var context = new CommandLineArgsCallbackContext(values, resource, cancellationToken) { ExecutionContext = _executionContext };
            foreach (var callback in callbacks)
            {
                await callback.Callback(context).ConfigureAwait(false);
            }
        }

        return [.. values.Select(v => Resolve(resource, v))];
    }

    /// <summary>One environment or argument value; throws <see cref="NotSupportedException"/> for a value that
    /// exists but has no faithful published form, <see cref="DistributedApplicationException"/> for one that
    /// cannot be published at all.</summary>
    private DeploymentValue Resolve(IResource owner, object? value)
    {
        var parts = new List<DeploymentValuePart>();
        Append(owner, parts, value, format: null, depth: 0);

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

    private void Append(IResource owner, List<DeploymentValuePart> parts, object? value, string? format, int depth)
    {
        if (depth > 16)
        {
            throw new DistributedApplicationException($"A value of '{owner.Name}' nests references too deeply.");
        }

        switch (value)
        {
            case null:
                break;
            case string text:
                parts.Add(new DeploymentValuePart(ApplyFormat(text, format), null));
                break;
            case ParameterResource parameter:
                if (format is not null)
                {
                    throw new NotSupportedException(
                        $"it needs parameter '{parameter.Name}' with the '{format}' format applied, which a Secret or .env reference cannot do");
                }

                parts.Add(new DeploymentValuePart(null, parameter));
                break;
            case ConnectionStringReference connection:
                Append(owner, parts, connection.Resource.ConnectionStringExpression, format, depth + 1);
                break;
            case IResourceWithConnectionString connectionString:
                Append(owner, parts, connectionString.ConnectionStringExpression, format, depth + 1);
                break;
            case EndpointReference endpoint:
                parts.Add(new DeploymentValuePart(ApplyFormat(EndpointValue(endpoint, EndpointProperty.Url), format), null));
                break;
            case EndpointReferenceExpression expression:
                parts.Add(new DeploymentValuePart(ApplyFormat(EndpointValue(expression.Endpoint, expression.Property), format), null));
                break;
            case ReferenceExpression expression when expression.IsConditional:
                var condition = Resolve(owner, expression.Condition);
                if (!condition.IsLiteral)
                {
                    throw new DistributedApplicationException($"A condition in a value of '{owner.Name}' depends on a parameter, which publishing cannot evaluate.");
                }

                var chosen = string.Equals(condition.LiteralText, expression.MatchValue, StringComparison.OrdinalIgnoreCase) ? expression.WhenTrue : expression.WhenFalse;
                Append(owner, parts, chosen, format, depth + 1);
                break;
            case ReferenceExpression expression:
                AppendFormat(owner, parts, expression, depth);
                break;
            case IManifestExpressionProvider other:
                throw new DistributedApplicationException(
                    $"'{other.ValueExpression}' ({other.GetType().Name}) in a value of '{owner.Name}' cannot be published as a container value.");
            case IFormattable formattable:
                parts.Add(new DeploymentValuePart(ApplyFormat(formattable.ToString(null, CultureInfo.InvariantCulture), format), null));
                break;
            default:
                parts.Add(new DeploymentValuePart(ApplyFormat(value.ToString() ?? "", format), null));
                break;
        }
    }

    /// <summary>Walks a composite format (<c>{0}://:{1}@{2}</c>, <c>{{</c>/<c>}}</c> escapes) and its value providers.</summary>
    private void AppendFormat(IResource owner, List<DeploymentValuePart> parts, ReferenceExpression expression, int depth)
    {
        var text = expression.Format;
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c)
            {
                literal.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var close = text.IndexOf('}', i);
                var hole = text[(i + 1)..close];
                var colon = hole.IndexOf(':', StringComparison.Ordinal);
                var index = int.Parse(colon < 0 ? hole : hole[..colon], NumberStyles.None, CultureInfo.InvariantCulture);
                var format = colon >= 0 ? hole[(colon + 1)..] : index < expression.StringFormats.Count ? expression.StringFormats[index] : null;
                parts.Add(new DeploymentValuePart(literal.ToString(), null));
                literal.Clear();
                Append(owner, parts, expression.ValueProviders[index], string.IsNullOrEmpty(format) ? null : format, depth + 1);
                i = close;
            }
            else
            {
                literal.Append(c);
            }
        }

        parts.Add(new DeploymentValuePart(literal.ToString(), null));
    }

    private static string ApplyFormat(string text, string? format) => format switch
    {
        null => text,
        "uri" => Uri.EscapeDataString(text),
        _ => throw new DistributedApplicationException($"Value format '{format}' is not supported by publishing."),
    };

    /// <summary>In-cluster form of an endpoint property: the resource name is the DNS name (Kubernetes Service,
    /// compose service) and the Service port equals the target port.</summary>
    private string EndpointValue(EndpointReference endpoint, EndpointProperty property)
    {
        if (!_ports.TryGetValue((endpoint.Resource, endpoint.EndpointName), out var port))
        {
            throw new DistributedApplicationException(
                $"Endpoint '{endpoint.EndpointName}' of '{endpoint.Resource.Name}' is referenced, but that resource is not published or has no such endpoint.");
        }

        var portText = port.TargetPort.ToString(CultureInfo.InvariantCulture);
        var host = endpoint.Resource.Name;
        return property switch
        {
            EndpointProperty.Url => $"{port.Scheme}://{host}:{portText}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => portText,
            EndpointProperty.HostAndPort => $"{host}:{portText}",
            EndpointProperty.Scheme => port.Scheme,
            EndpointProperty.TlsEnabled => bool.FalseString, // published endpoints are cleartext inside the cluster
            _ => throw new DistributedApplicationException($"Endpoint property {property} cannot be published."),
        };
    }
}
