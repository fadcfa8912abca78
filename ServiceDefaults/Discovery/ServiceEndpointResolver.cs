using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MlAspire.ServiceDefaults.Discovery;

/// <summary>
/// Resolves a service name to its addresses from configuration, and hands them out round-robin.
/// A logical URL names the service as its host: <c>http://inference</c> (the <c>http</c> endpoint),
/// <c>https+http://gateway</c> (https, else http) or <c>http://_grpc.inference</c> (the endpoint named <c>grpc</c>).
/// </summary>
public sealed class ServiceEndpointResolver(IOptions<ServiceDiscoveryOptions> options)
{
    private readonly ServiceDiscoveryOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, int> _cursors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>All addresses of one endpoint of a service, in index order.</summary>
    /// <param name="endpointName">The endpoint; null picks <c>http</c>, then <c>https</c>, then the only one.</param>
    /// <exception cref="InvalidOperationException">The service or endpoint is not configured.</exception>
    public IReadOnlyList<Uri> GetEndpoints(string serviceName, string? endpointName = null)
    {
        if (TryGetEndpoints(serviceName, endpointName, out var endpoints))
        {
            return endpoints;
        }

        var known = _options.GetEndpoints(serviceName);
        var detail = known.Count == 0
            ? $"no 'services:{serviceName}:*' configuration was found (known services: {Describe(_options.ServiceNames)})"
            : $"it has endpoints {Describe(known.Keys)}";
        throw new InvalidOperationException(
            $"Cannot resolve endpoint '{endpointName ?? "(default)"}' of service '{serviceName}': {detail}.");
    }

    public bool TryGetEndpoints(string serviceName, string? endpointName, out IReadOnlyList<Uri> endpoints)
    {
        var all = _options.GetEndpoints(serviceName);
        endpoints = [];
        if (all.Count == 0)
        {
            return false;
        }

        if (endpointName is not null)
        {
            if (all.TryGetValue(endpointName, out var named))
            {
                endpoints = named;
                return true;
            }

            return false;
        }

        if (all.TryGetValue("http", out var http) || all.TryGetValue("https", out http))
        {
            endpoints = http;
            return true;
        }

        if (all.Count == 1)
        {
            endpoints = all.Values.First();
            return true;
        }

        return false;
    }

    /// <summary>
    /// Rewrites a logical URL (see the type's remarks) to a concrete address, taking the next replica in turn.
    /// Returns false, and the URL unchanged, when its host is not a configured service.
    /// </summary>
    public bool TryResolve(Uri logical, out Uri resolved)
    {
        resolved = logical;
        var host = logical.Host;
        string? endpointName = null;
        if (host.StartsWith('_') && host.IndexOf('.', StringComparison.Ordinal) is > 1 and var dot)
        {
            endpointName = host[1..dot];
            host = host[(dot + 1)..];
        }

        IReadOnlyList<Uri>? candidates = null;
        if (endpointName is not null)
        {
            TryGetEndpoints(host, endpointName, out candidates);
        }
        else
        {
            foreach (var scheme in logical.Scheme.Split('+'))
            {
                if (TryGetEndpoints(host, scheme, out candidates))
                {
                    break;
                }
            }

            if (candidates is null or { Count: 0 })
            {
                TryGetEndpoints(host, null, out candidates);
            }
        }

        if (candidates is null or { Count: 0 })
        {
            return false;
        }

        var key = $"{host}/{endpointName ?? logical.Scheme}";
        var cursor = _cursors.AddOrUpdate(key, 0, (_, current) => unchecked(current + 1));
        var target = candidates[(int)((uint)cursor % (uint)candidates.Count)];
        resolved = new UriBuilder(logical)
        {
            Scheme = target.Scheme,
            Host = target.Host,
            Port = target.Port,
        }.Uri;
        return true;
    }

    private static string Describe(IEnumerable<string> names)
    {
        var list = string.Join(", ", names.Select(n => $"'{n}'"));
        return list.Length == 0 ? "none" : list;
    }
}
