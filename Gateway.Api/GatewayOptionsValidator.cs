using Microsoft.Extensions.Options;

namespace MlAspire.Gateway.Api;

[OptionsValidator]
internal sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;
