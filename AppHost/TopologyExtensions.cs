using MlAspire.Hosting;

namespace MlAspire.AppHost;

/// <summary>Shapes shared by the MlAspire services, so the topology in Program.cs stays one statement per resource.</summary>
internal static class TopologyExtensions
{
    /// <summary>An <c>http</c> endpoint whose <c>/health</c> (ServiceDefaults' readiness endpoint) gates WaitFor.</summary>
    public static IResourceBuilder<ProjectResource> WithHealthEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithHttpEndpoint().WithHttpHealthCheck("/health", "http");

    /// <summary>A <c>grpc</c> endpoint served as HTTP/2 only (cleartext gRPC: Kestrel <c>Protocols=Http2</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithEndpoint("grpc", scheme: "http", transport: "http2");

    /// <summary>Reference a resource and start only once it is healthy.</summary>
    public static IResourceBuilder<ProjectResource> WithDependency<T>(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<T> dependency)
        where T : Resource =>
        builder.WithReference(dependency).WaitFor(dependency);
}
