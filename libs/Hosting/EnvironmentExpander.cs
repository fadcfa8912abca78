namespace MlAspire.Hosting;

/// <summary>Turns a resource's environment entries into variables, shared by run mode and the manifest so
/// both inject the same names.</summary>
internal static class EnvironmentExpander
{
    /// <summary>Variables Aspire gives every .NET project, in Aspire's order.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> OtelDefaults =
    [
        new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "true"),
        new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "true"),
        new("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory"),
    ];

    /// <summary>Expands <c>WithReference</c> and <c>WithEnvironment</c> entries in call order. With
    /// <paramref name="allReplicas"/> false (the manifest) service discovery lists replica 0 only, as Aspire does.</summary>
    public static List<KeyValuePair<string, ReferenceExpression>> Expand(Resource resource, bool allReplicas)
    {
        var result = new List<KeyValuePair<string, ReferenceExpression>>();
        foreach (var entry in resource.Environment)
        {
            switch (entry)
            {
                case EnvironmentVariableEntry variable:
                    result.Add(new(variable.Key, variable.Value));
                    break;
                case ResourceReferenceEntry { Target: IResourceWithConnectionString target } reference:
                    result.Add(new($"ConnectionStrings__{reference.ConnectionName ?? target.Name}", ReferenceExpression.Create(new ConnectionStringReference(target))));
                    break;
                case ResourceReferenceEntry reference:
                    var replicas = allReplicas ? reference.Target.Replicas : 1;
                    foreach (var endpoint in reference.Target.Endpoints)
                    {
                        for (var i = 0; i < replicas; i++)
                        {
                            result.Add(new(
                                ServiceVariable(reference.Target.Name, endpoint.Name, i),
                                ReferenceExpression.Create(reference.Target.GetEndpoint(endpoint.Name).ForReplica(i).Url)));
                        }
                    }

                    break;
            }
        }

        return result;
    }

    public static string ServiceVariable(string service, string endpoint, int index) => $"services__{service}__{endpoint}__{index}";

    /// <summary>True when the project must be configured through Kestrel endpoints (an HTTP/2-only endpoint
    /// cannot be expressed with <c>ASPNETCORE_URLS</c>/<c>HTTP_PORTS</c>).</summary>
    public static bool UsesKestrelEndpoints(Resource resource) => resource.Endpoints.Any(e => e.IsHttp && e.Transport == "http2");
}
