using Microsoft.Extensions.Options;

namespace MlAspire.ServiceDefaults.Discovery;

/// <summary>
/// Written by hand rather than by the [OptionsValidator] generator: the values are a dynamic map of keys, which
/// data annotations cannot describe. Fails start with every bad key named.
/// </summary>
internal sealed class ServiceDiscoveryOptionsValidator : IValidateOptions<ServiceDiscoveryOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceDiscoveryOptions options) =>
        options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
}
