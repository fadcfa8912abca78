using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace MlAspire.ServiceDefaults.Discovery;

/// <summary>
/// Checks, at start, the <c>services</c> section that Microsoft.Extensions.ServiceDiscovery resolves from
/// (<c>services__inference__grpc__0=http://localhost:5123</c>: service, endpoint, address index). Service discovery
/// itself reads a bad value only when the first request to that service is made, and then fails that request; here
/// start fails instead, with every bad key named.
/// </summary>
internal sealed class ServiceEndpointsValidator(IConfiguration configuration) : IValidateOptions<ServiceDiscoveryOptions>
{
    public const string SectionName = "services";

    public ValidateOptionsResult Validate(string? name, ServiceDiscoveryOptions options)
    {
        var errors = new List<string>();
        foreach (var service in configuration.GetSection(SectionName).GetChildren())
        {
            foreach (var endpoint in service.GetChildren())
            {
                var entries = endpoint.GetChildren().ToList();
                if (entries.Count == 0)
                {
                    // services__name__endpoint=value (no index) is a single address.
                    Check(endpoint, errors);
                    continue;
                }

                foreach (var entry in entries)
                {
                    if (!int.TryParse(entry.Key, out _))
                    {
                        errors.Add($"Configuration key '{entry.Path}': '{entry.Key}' is not an address index (expected 0, 1, ...).");
                        continue;
                    }

                    Check(entry, errors);
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(IConfigurationSection entry, List<string> errors)
    {
        if (!ServiceEndpointParser.TryParse(entry.Value, out _, out var error))
        {
            errors.Add($"Configuration key '{entry.Path}': {error}.");
        }
    }
}
