namespace MlAspire.Hosting.Publishing;

/// <summary>An endpoint as deployed: the workload listens on <see cref="TargetPort"/>, and the Service / compose
/// network name exposes the same port, so <c>http://&lt;resource&gt;:&lt;TargetPort&gt;</c> works in both.</summary>
internal sealed record DeployedPort(EndpointAnnotation Endpoint, int TargetPort)
{
    public string Name => Endpoint.Name;

    /// <summary>Kubernetes' <c>appProtocol</c>: <c>kubernetes.io/h2c</c> for HTTP/2 cleartext (gRPC), so meshes and
    /// gateways speak HTTP/2 to it.</summary>
    public string? AppProtocol => Endpoint.Transport switch
    {
        "http2" when Endpoint.Scheme == "http" => "kubernetes.io/h2c",
        "http" or "http2" => Endpoint.Scheme,
        _ => null,
    };
}
