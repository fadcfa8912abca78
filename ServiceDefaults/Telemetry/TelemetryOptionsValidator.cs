using Microsoft.Extensions.Options;

namespace MlAspire.ServiceDefaults.Telemetry;

[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
