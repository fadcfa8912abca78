using Microsoft.Extensions.Options;

namespace MlAspire.Publishing;

[OptionsValidator]
internal sealed partial class ContainerImageOptionsValidator : IValidateOptions<ContainerImageOptions>;
