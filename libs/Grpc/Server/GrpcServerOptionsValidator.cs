using Microsoft.Extensions.Options;

namespace MlAspire.Grpc;

[OptionsValidator]
internal sealed partial class GrpcServerOptionsValidator : IValidateOptions<GrpcServerOptions>;
