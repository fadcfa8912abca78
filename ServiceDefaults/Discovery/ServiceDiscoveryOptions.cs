using Microsoft.Extensions.Configuration;

namespace MlAspire.ServiceDefaults.Discovery;

/// <summary>
/// The endpoints of other services, read from the <c>services</c> configuration section that Aspire-style hosts fill
/// through variables such as <c>services__inference__grpc__0=http://localhost:5123</c>
/// (service <c>inference</c>, endpoint <c>grpc</c>, address 0). Several indexes mean several replicas.
/// </summary>
public sealed class ServiceDiscoveryOptions
{
    public const string SectionName = "services";

    private readonly Dictionary<string, Dictionary<string, List<Uri>>> _services = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _errors = [];

    /// <summary>Problems found while loading, each naming the configuration key; reported by validation at start.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Service names that have at least one endpoint.</summary>
    public IEnumerable<string> ServiceNames => _services.Keys;

    public IReadOnlyDictionary<string, IReadOnlyList<Uri>> GetEndpoints(string serviceName) =>
        _services.TryGetValue(serviceName, out var endpoints)
            ? endpoints.ToDictionary(e => e.Key, e => (IReadOnlyList<Uri>)e.Value, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, IReadOnlyList<Uri>>();

    public void Load(IConfiguration services)
    {
        _services.Clear();
        _errors.Clear();
        foreach (var service in services.GetChildren())
        {
            foreach (var endpoint in service.GetChildren())
            {
                LoadEndpoint(service.Key, endpoint);
            }
        }
    }

    private void LoadEndpoint(string serviceName, IConfigurationSection endpoint)
    {
        var entries = endpoint.GetChildren().ToList();
        if (entries.Count == 0)
        {
            // services__name__endpoint=value (no index) is a single address.
            entries = [endpoint];
        }

        var addresses = new List<(int Index, Uri Uri)>();
        foreach (var entry in entries)
        {
            var index = 0;
            if (!ReferenceEquals(entry, endpoint) && !int.TryParse(entry.Key, out index))
            {
                _errors.Add($"Configuration key '{entry.Path}': '{entry.Key}' is not an address index (expected 0, 1, ...).");
                continue;
            }

            if (ServiceEndpointParser.TryParse(entry.Value, out var uri, out var error))
            {
                addresses.Add((index, uri!));
            }
            else
            {
                _errors.Add($"Configuration key '{entry.Path}': {error}.");
            }
        }

        if (addresses.Count == 0)
        {
            return;
        }

        if (!_services.TryGetValue(serviceName, out var endpoints))
        {
            endpoints = new Dictionary<string, List<Uri>>(StringComparer.OrdinalIgnoreCase);
            _services[serviceName] = endpoints;
        }

        endpoints[endpoint.Key] = [.. addresses.OrderBy(a => a.Index).Select(a => a.Uri)];
    }
}
