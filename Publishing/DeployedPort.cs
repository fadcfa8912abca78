namespace MlAspire.Publishing;

/// <summary>An endpoint as deployed: the workload listens on <see cref="TargetPort"/>, and the Service / compose
/// network name exposes the same port, so <c>http://&lt;resource&gt;:&lt;TargetPort&gt;</c> works in both.</summary>
internal sealed record DeployedPort(string Name, string Scheme, string Transport, bool IsExternal, int TargetPort)
{
    public bool IsHttp => Scheme is "http" or "https";

    /// <summary>Kubernetes' <c>appProtocol</c>: <c>kubernetes.io/h2c</c> for HTTP/2 cleartext (gRPC), so meshes and
    /// gateways speak HTTP/2 to it.</summary>
    public string? AppProtocol => Transport switch
    {
        "http2" when Scheme == "http" => "kubernetes.io/h2c",
        "http" or "http2" => Scheme,
        _ => null,
    };
}
