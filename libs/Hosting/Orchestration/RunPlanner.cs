using System.Globalization;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Computes the environment, arguments and URLs of every replica of a run.</summary>
internal static class RunPlanner
{
    public static ReplicaPlan Plan(Resource resource, int index, RunValues values, DistributedApplicationOptions options)
    {
        var context = new ResolutionContext(resource, index, values);
        var replicaId = $"{resource.Name}-{index}";
        var env = new OrderedDictionary<string, string>(StringComparer.Ordinal);

        if (resource is ProjectResource or ExecutableResource)
        {
            foreach (var (key, value) in EnvironmentExpander.OtelDefaults)
            {
                env[key] = value;
            }

            env["OTEL_SERVICE_NAME"] = resource.Name;
            env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={replicaId}";
            if (options.OtlpEndpoint is { } otlp)
            {
                env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.ToString().TrimEnd('/');
                env["OTEL_EXPORTER_OTLP_PROTOCOL"] = options.OtlpProtocol;
                if (options.OtlpHeaders is { } headers)
                {
                    env["OTEL_EXPORTER_OTLP_HEADERS"] = headers;
                }

                env["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
                env["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                env["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            }
        }

        if (resource is ProjectResource)
        {
            env["DOTNET_ENVIRONMENT"] = "Development";
            env["ASPNETCORE_ENVIRONMENT"] = "Development";
            AddKestrelBindings(resource, index, values, env);
        }

        foreach (var endpoint in resource.Endpoints.Where(e => e.EnvironmentVariable is not null))
        {
            env[endpoint.EnvironmentVariable!] = values.GetPort(resource, endpoint.Name, index).ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in EnvironmentExpander.Expand(resource, allReplicas: true))
        {
            env[key] = value.Resolve(context);
        }

        var urls = resource.Endpoints
            .Select(e => $"{e.Scheme}://{values.Host}:{values.GetPort(resource, e.Name, index)}")
            .ToList();
        var healthUrl = resource.HealthCheck is { } check
            ? $"http://{values.Host}:{values.GetPort(resource, check.EndpointName, index)}{check.Path}"
            : null;
        return new ReplicaPlan(resource, index, replicaId, env, [.. resource.Args.Select(a => a.Resolve(context))], urls, healthUrl);
    }

    /// <summary>HTTP endpoints go to <c>ASPNETCORE_URLS</c>; when any endpoint is HTTP/2-only (gRPC without TLS)
    /// every endpoint becomes a named Kestrel endpoint instead, the HTTP/2 ones with <c>Protocols=Http2</c>.</summary>
    private static void AddKestrelBindings(Resource resource, int index, RunValues values, OrderedDictionary<string, string> env)
    {
        var http = resource.Endpoints.Where(e => e.IsHttp).ToList();
        if (http.Count == 0)
        {
            return;
        }

        if (!EnvironmentExpander.UsesKestrelEndpoints(resource))
        {
            env["ASPNETCORE_URLS"] = string.Join(';', http.Select(e => $"{e.Scheme}://{values.Host}:{values.GetPort(resource, e.Name, index)}"));
            return;
        }

        foreach (var endpoint in http)
        {
            env[$"Kestrel__Endpoints__{endpoint.Name}__Url"] = $"{endpoint.Scheme}://{values.Host}:{values.GetPort(resource, endpoint.Name, index)}";
            if (endpoint.Transport == "http2")
            {
                env[$"Kestrel__Endpoints__{endpoint.Name}__Protocols"] = "Http2";
            }
        }
    }
}
