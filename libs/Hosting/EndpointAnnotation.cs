namespace MlAspire.Hosting;

/// <summary>A named network endpoint of a resource (a manifest <c>binding</c>).</summary>
public sealed class EndpointAnnotation
{
    internal EndpointAnnotation(string name, string scheme, string transport, int? port, int? targetPort, string? environmentVariable, bool isExternal)
    {
        Name = name;
        Scheme = scheme;
        Transport = transport;
        Port = port;
        TargetPort = targetPort;
        EnvironmentVariable = environmentVariable;
        IsExternal = isExternal;
    }

    public string Name { get; }

    /// <summary>URI scheme: <c>http</c>, <c>https</c> or <c>tcp</c>.</summary>
    public string Scheme { get; }

    /// <summary><c>http</c>, <c>http2</c> (HTTP/2 only, e.g. gRPC without TLS) or <c>tcp</c>.</summary>
    public string Transport { get; }

    /// <summary>Always <c>tcp</c>; UDP endpoints are not supported.</summary>
    public string Protocol { get; } = "tcp";

    /// <summary>Fixed host port in run mode (only with one replica); null allocates a free loopback port.</summary>
    public int? Port { get; }

    /// <summary>The port the workload listens on when deployed; null lets the publisher choose.</summary>
    public int? TargetPort { get; }

    /// <summary>Environment variable that receives the allocated port (for executables that read e.g. <c>PORT</c>).</summary>
    public string? EnvironmentVariable { get; }

    public bool IsExternal { get; internal set; }

    public bool IsHttp => Scheme is "http" or "https";
}
