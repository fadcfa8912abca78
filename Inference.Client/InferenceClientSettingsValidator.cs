using Microsoft.Extensions.Options;

namespace MlAspire.Inference.Client;

[OptionsValidator]
internal sealed partial class InferenceClientSettingsValidator : IValidateOptions<InferenceClientSettings>;
