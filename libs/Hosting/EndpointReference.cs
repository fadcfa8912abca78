namespace MlAspire.Hosting;

/// <summary>Names one endpoint of a resource, optionally one replica of it. In run mode the replica defaults
/// to the one being configured when the endpoint is the resource's own, and to replica 0 otherwise.</summary>
public sealed class EndpointReference
{
    internal EndpointReference(Resource resource, string endpointName, int? replica = null)
    {
        Resource = resource;
        EndpointName = endpointName;
        Replica = replica;
    }

    public Resource Resource { get; }

    public string EndpointName { get; }

    public int? Replica { get; }

    public EndpointReferenceExpression Url => Property(EndpointProperty.Url);

    public EndpointReferenceExpression Host => Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => Property(EndpointProperty.Port);

    public EndpointReferenceExpression TargetPort => Property(EndpointProperty.TargetPort);

    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);

    /// <summary>The same endpoint on replica <paramref name="index"/>.</summary>
    public EndpointReference ForReplica(int index) => new(Resource, EndpointName, index);
}
