namespace MlAspire.AppHost;

/// <summary>Endpoints of a project that binds them through Kestrel's configuration (<c>Kestrel:Endpoints:{name}</c>)
/// instead of <c>ASPNETCORE_URLS</c>, as Inference.Service does for its HTTP/2-only gRPC endpoint.</summary>
internal static class KestrelEndpointExtensions
{
    /// <summary>An HTTP endpoint served as HTTP/2 only (cleartext gRPC needs prior knowledge: no HTTP/1.1 upgrade).</summary>
    public static IResourceBuilder<ProjectResource> WithHttp2Endpoint(this IResourceBuilder<ProjectResource> builder, [ResourceName] string name) =>
        builder.WithHttpEndpoint(name: name).WithEndpoint(name, endpoint => endpoint.Transport = "http2");

    /// <summary>Hands every HTTP endpoint of the project to Kestrel as <c>Kestrel__Endpoints__{name}__Url</c> on the port
    /// Aspire assigned to it, with <c>Protocols=Http2</c> where the endpoint's transport is <c>http2</c>. Run mode binds
    /// loopback only; a published container binds every interface.</summary>
    public static IResourceBuilder<ProjectResource> WithKestrelEndpoints(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithEnvironment(context =>
        {
            var host = context.ExecutionContext.IsPublishMode ? "*" : "localhost";
            foreach (var annotation in builder.Resource.Annotations.OfType<EndpointAnnotation>())
            {
                if (annotation.UriScheme is not ("http" or "https"))
                {
                    continue;
                }

                var endpoint = builder.GetEndpoint(annotation.Name);
                var prefix = $"Kestrel__Endpoints__{annotation.Name}__";
                context.EnvironmentVariables[prefix + "Url"] =
                    ReferenceExpression.Create($"{annotation.UriScheme}://{host}:{endpoint.Property(EndpointProperty.TargetPort)}");
                if (annotation.Transport == "http2")
                {
                    context.EnvironmentVariables[prefix + "Protocols"] = "Http2";
                }
            }
        });
}
