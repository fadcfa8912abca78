using System.Globalization;
using Microsoft.Extensions.Options;

namespace MlAspire.Preprocessing.Worker;

/// <summary>Fails start when a live worker's heartbeat could lapse between two refreshes (its jobs would be taken over).</summary>
internal sealed class HeartbeatLimitsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options) =>
        options.HeartbeatTimeout >= 2 * options.HeartbeatInterval
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"Worker:HeartbeatTimeout ({options.HeartbeatTimeout}) must be at least twice Worker:HeartbeatInterval ({options.HeartbeatInterval}), or a live worker could be taken for dead between two heartbeats."));
}
