using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Services;

namespace MlAspire.Gateway.Api;

/// <summary>Fails start when an API key entry is not <c>name:sha256hex</c> or <c>sha256hex</c>.</summary>
internal sealed class ApiKeysValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(options.ApiKeys[i]) && !ApiKeyStore.TryParseEntry(options.ApiKeys[i], i, out _, out _))
            {
                return ValidateOptionsResult.Fail(
                    $"Gateway:ApiKeys:{i} is malformed: expected '<name>:<SHA-256 of the key as 64 hex chars>' or just the 64 hex chars.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
