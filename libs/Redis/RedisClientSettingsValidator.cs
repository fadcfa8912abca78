using Microsoft.Extensions.Options;

namespace MlAspire.Redis;

/// <summary>Generated data-annotation validation of <see cref="RedisClientSettings"/>.</summary>
[OptionsValidator]
internal sealed partial class RedisClientSettingsValidator : IValidateOptions<RedisClientSettings>
{
}
