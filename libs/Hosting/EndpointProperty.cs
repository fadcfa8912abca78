namespace MlAspire.Hosting;

/// <summary>The parts of an endpoint an expression can refer to (manifest: <c>{name.bindings.endpoint.property}</c>).</summary>
public enum EndpointProperty
{
    Url,
    Host,
    Port,
    TargetPort,
    Scheme,
}
