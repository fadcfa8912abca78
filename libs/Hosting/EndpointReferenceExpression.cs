namespace MlAspire.Hosting;

/// <summary>One property of an endpoint, e.g. <c>{inference.bindings.grpc.url}</c>.</summary>
public sealed class EndpointReferenceExpression : ValueReference
{
    internal EndpointReferenceExpression(EndpointReference endpoint, EndpointProperty property)
    {
        Endpoint = endpoint;
        Property = property;
    }

    public EndpointReference Endpoint { get; }

    public EndpointProperty Property { get; }

    public override Resource Resource => Endpoint.Resource;

    public override string ManifestExpression =>
        $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.{PropertyName(Property)}}}";

    internal static string PropertyName(EndpointProperty property) => property switch
    {
        EndpointProperty.Url => "url",
        EndpointProperty.Host => "host",
        EndpointProperty.Port => "port",
        EndpointProperty.TargetPort => "targetPort",
        EndpointProperty.Scheme => "scheme",
        _ => throw new ArgumentOutOfRangeException(nameof(property)),
    };

    internal override string Resolve(ResolutionContext context)
    {
        var endpoint = Endpoint.Resource.Endpoints.FirstOrDefault(e => e.Name == Endpoint.EndpointName)
            ?? throw new DistributedApplicationException(
                $"Resource '{Endpoint.Resource.Name}' has no endpoint named '{Endpoint.EndpointName}'.");
        var replica = Endpoint.Replica ?? (ReferenceEquals(context.Self, Endpoint.Resource) ? context.SelfReplica : 0);
        var port = context.Values.GetPort(Endpoint.Resource, endpoint.Name, replica);
        var host = context.Values.Host;
        return Property switch
        {
            EndpointProperty.Url => $"{endpoint.Scheme}://{host}:{port}",
            EndpointProperty.Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port.ToString(),
            EndpointProperty.Scheme => endpoint.Scheme,
            _ => throw new ArgumentOutOfRangeException(nameof(context)),
        };
    }
}
