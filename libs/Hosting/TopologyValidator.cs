using System.Text;

namespace MlAspire.Hosting;

/// <summary>Checks the whole topology before anything is built, started or published, and reports every
/// problem at once.</summary>
internal static class TopologyValidator
{
    public static void ThrowIfInvalid(DistributedApplicationBuilder builder)
    {
        var errors = Validate(builder);
        if (errors.Count > 0)
        {
            var message = new StringBuilder("The application topology is invalid:");
            foreach (var error in errors)
            {
                message.Append('\n').Append(" - ").Append(error);
            }

            throw new DistributedApplicationException(message.ToString());
        }
    }

    public static List<string> Validate(DistributedApplicationBuilder builder)
    {
        var errors = new List<string>();
        var known = new HashSet<Resource>(builder.Resources, ReferenceEqualityComparer.Instance);
        foreach (var resource in builder.Resources)
        {
            ValidateResource(resource, known, errors);
        }

        if (builder.ExecutionContext.IsPublishMode && builder.ExecutionContext.Publisher != "manifest" && builder.ExecutionContext.PublishOptions is null)
        {
            errors.Add($"Unknown publisher '{builder.ExecutionContext.Publisher}'; the supported publisher is 'manifest'.");
        }

        if (builder.ExecutionContext.IsRunMode)
        {
            foreach (var parameter in builder.Resources.OfType<ParameterResource>())
            {
                if (!parameter.TryGetValue(builder.Configuration, out _))
                {
                    errors.Add($"{parameter} has no value: set configuration key '{parameter.ConfigurationKey}' "
                        + $"(environment variable '{parameter.ConfigurationKey.Replace(":", "__", StringComparison.Ordinal)}').");
                }
            }
        }

        var cycle = FindCycle(builder.Resources, known);
        if (cycle is not null)
        {
            errors.Add($"Dependency cycle (WithReference/WaitFor): {string.Join(" -> ", cycle.Select(r => r.Name))}.");
        }

        return errors;
    }

    /// <summary>Edges of the dependency graph: WaitFor, WithReference and resources named in expressions.</summary>
    internal static IEnumerable<Resource> Dependencies(Resource resource) =>
        resource.WaitForResources
            .Concat(resource.References)
            .Concat(resource.Environment.OfType<EnvironmentVariableEntry>().SelectMany(e => e.Value.ValueReferences).Select(v => v.Resource))
            .Concat(resource.Args.SelectMany(a => a.ValueReferences).Select(v => v.Resource))
            .Concat(resource is IResourceWithConnectionString c ? c.ConnectionStringExpression.ValueReferences.Select(v => v.Resource) : [])
            .Where(d => !ReferenceEquals(d, resource))
            .Distinct();

    private static void ValidateResource(Resource resource, HashSet<Resource> known, List<string> errors)
    {
        if (resource.Replicas < 1)
        {
            errors.Add($"{resource}: replicas must be at least 1 (was {resource.Replicas}).");
        }

        if (resource is ProjectResource project && !File.Exists(project.ProjectPath))
        {
            errors.Add($"{resource}: project file '{project.ProjectPath}' does not exist.");
        }

        if (resource is ExecutableResource executable && !Directory.Exists(executable.WorkingDirectory))
        {
            errors.Add($"{resource}: working directory '{executable.WorkingDirectory}' does not exist.");
        }

        if (!resource.IsRunnable && (resource.Replicas != 1 || resource.WaitForResources.Count > 0 || resource.Endpoints.Count > 0))
        {
            errors.Add($"{resource} is a value, not a process: it cannot have replicas, endpoints or WaitFor.");
        }

        foreach (var group in resource.Endpoints.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"{resource}: endpoint name '{group.Key}' is used more than once.");
        }

        foreach (var endpoint in resource.Endpoints)
        {
            if (endpoint.Port is not null && resource.Replicas > 1)
            {
                errors.Add($"{resource}: endpoint '{endpoint.Name}' has the fixed port {endpoint.Port} but {resource.Replicas} replicas; leave the port unset.");
            }

            if (endpoint.Port is < 1 or > 65535 || endpoint.TargetPort is < 1 or > 65535)
            {
                errors.Add($"{resource}: endpoint '{endpoint.Name}' has a port outside 1-65535.");
            }

            if (resource is ContainerResource && endpoint.TargetPort is null)
            {
                errors.Add($"{resource}: endpoint '{endpoint.Name}' needs a target port (the port the container listens on).");
            }

            if (endpoint.Transport is not ("http" or "http2" or "tcp"))
            {
                errors.Add($"{resource}: endpoint '{endpoint.Name}' has transport '{endpoint.Transport}'; use http, http2 or tcp.");
            }
        }

        if (resource.HealthCheck is { } check && !resource.Endpoints.Any(e => e.Name == check.EndpointName && e.IsHttp))
        {
            errors.Add($"{resource}: the health check uses endpoint '{check.EndpointName}', which is not an HTTP endpoint of the resource.");
        }

        foreach (var dependency in resource.WaitForResources)
        {
            if (!known.Contains(dependency))
            {
                errors.Add($"{resource} waits for {dependency}, which is not part of this application.");
            }
            else if (!dependency.IsRunnable)
            {
                errors.Add($"{resource} waits for {dependency}, which is a value and never runs.");
            }
        }

        foreach (var reference in resource.References)
        {
            if (!known.Contains(reference))
            {
                errors.Add($"{resource} references {reference}, which is not part of this application.");
            }
            else if (reference is not IResourceWithConnectionString && reference.Endpoints.Count == 0)
            {
                errors.Add($"{resource} references {reference}, which has neither a connection string nor endpoints.");
            }
        }

        foreach (var value in Dependencies(resource).Where(d => !known.Contains(d) && !resource.References.Contains(d) && !resource.WaitForResources.Contains(d)))
        {
            errors.Add($"{resource} uses a value of {value}, which is not part of this application.");
        }

        foreach (var expression in resource.Environment.OfType<EnvironmentVariableEntry>().Select(e => e.Value).Concat(resource.Args))
        {
            foreach (var endpoint in expression.ValueReferences.OfType<EndpointReferenceExpression>())
            {
                var target = endpoint.Endpoint;
                if (!target.Resource.Endpoints.Any(e => e.Name == target.EndpointName))
                {
                    errors.Add($"{resource} refers to endpoint '{target.EndpointName}' of {target.Resource}, which has no such endpoint.");
                }
                else if (target.Replica is { } replica && (replica < 0 || replica >= target.Resource.Replicas))
                {
                    errors.Add($"{resource} refers to replica {replica} of {target.Resource}, which has {target.Resource.Replicas}.");
                }
            }
        }
    }

    private static List<Resource>? FindCycle(IReadOnlyList<Resource> resources, HashSet<Resource> known)
    {
        // Depth-first search with colours; the stack holds the current path so a back edge names the cycle.
        var state = new Dictionary<Resource, int>(ReferenceEqualityComparer.Instance);
        var path = new List<Resource>();

        List<Resource>? Visit(Resource node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in Dependencies(node).Where(known.Contains))
            {
                var mark = state.GetValueOrDefault(next);
                if (mark == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (mark == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var resource in resources)
        {
            if (state.GetValueOrDefault(resource) == 0 && Visit(resource) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    /// <summary>Resources ordered so each comes after everything it depends on (the graph is acyclic after validation).</summary>
    internal static List<Resource> StartOrder(IReadOnlyList<Resource> resources)
    {
        var ordered = new List<Resource>();
        var seen = new HashSet<Resource>(ReferenceEqualityComparer.Instance);

        void Visit(Resource node)
        {
            if (!seen.Add(node))
            {
                return;
            }

            foreach (var dependency in Dependencies(node).Where(resources.Contains))
            {
                Visit(dependency);
            }

            ordered.Add(node);
        }

        foreach (var resource in resources)
        {
            Visit(resource);
        }

        return ordered;
    }
}
