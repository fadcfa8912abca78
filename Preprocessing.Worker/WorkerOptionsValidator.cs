using Microsoft.Extensions.Options;

namespace MlAspire.Preprocessing.Worker;

[OptionsValidator]
internal sealed partial class WorkerOptionsValidator : IValidateOptions<WorkerOptions>;
