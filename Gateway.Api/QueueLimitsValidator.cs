using System.Globalization;
using Microsoft.Extensions.Options;

namespace MlAspire.Gateway.Api;

/// <summary>Fails start when the stream cap could trim jobs that are still queued.</summary>
internal sealed class QueueLimitsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options) =>
        options.StreamMaxLength >= 2 * options.MaxQueueLength
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"Gateway:StreamMaxLength ({options.StreamMaxLength}) must be at least twice Gateway:MaxQueueLength ({options.MaxQueueLength}), or trimming the stream could drop queued jobs."));
}
