using Microsoft.Extensions.Options;

namespace MlAspire.Inference.Service;

[OptionsValidator]
internal sealed partial class InferenceOptionsValidator : IValidateOptions<InferenceOptions>;
