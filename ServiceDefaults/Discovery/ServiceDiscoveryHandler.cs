namespace MlAspire.ServiceDefaults.Discovery;

/// <summary>Lets an HttpClient address services by name (<c>http://inference/...</c>), resolved per request.</summary>
public sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && resolver.TryResolve(uri, out var resolved))
        {
            request.RequestUri = resolved;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
