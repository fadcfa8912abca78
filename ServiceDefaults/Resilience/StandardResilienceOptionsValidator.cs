using Microsoft.Extensions.Options;

namespace MlAspire.ServiceDefaults.Resilience;

[OptionsValidator]
internal sealed partial class StandardResilienceOptionsValidator : IValidateOptions<StandardResilienceOptions>;
