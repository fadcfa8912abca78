using Microsoft.Extensions.Configuration;

namespace MlAspire.Grpc;

public static class GrpcChannelConfigurationExtensions
{
    /// <summary>
    /// A channel over every address service discovery published for <paramref name="serviceName"/>: configuration
    /// keys <c>services:{service}:{endpoint}:{0..n}</c> (environment <c>services__inference__grpc__0=http://host:port</c>).
    /// Throws when none is configured, naming the key it looked for.
    /// </summary>
    public static GrpcChannel CreateGrpcChannel(this IConfiguration configuration, string serviceName,
        string endpointName = "grpc", GrpcChannelOptions? options = null)
    {
        var section = configuration.GetSection($"services:{serviceName}:{endpointName}");
        var addresses = new List<Uri>();
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            if (string.IsNullOrWhiteSpace(child.Value))
            {
                continue;
            }

            if (!Uri.TryCreate(child.Value, UriKind.Absolute, out var uri))
            {
                throw new InvalidOperationException($"Configuration '{child.Path}' is not an absolute URI: '{child.Value}'.");
            }

            addresses.Add(uri);
        }

        if (addresses.Count == 0)
        {
            throw new InvalidOperationException($"No address configured at '{section.Path}:0' (environment services__{serviceName}__{endpointName}__0).");
        }

        return GrpcChannel.ForAddresses(addresses, options);
    }
}
