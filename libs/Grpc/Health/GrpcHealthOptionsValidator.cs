using Microsoft.Extensions.Options;

namespace MlAspire.Grpc.Health;

[OptionsValidator]
internal sealed partial class GrpcHealthOptionsValidator : IValidateOptions<GrpcHealthOptions>;
