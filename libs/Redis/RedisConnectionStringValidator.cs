using Microsoft.Extensions.Options;

namespace MlAspire.Redis;

/// <summary>Fails start-up with the parser's message when <c>ConnectionStrings:&lt;name&gt;</c> is malformed.</summary>
internal sealed class RedisConnectionStringValidator(string connectionName) : IValidateOptions<RedisClientSettings>
{
    public ValidateOptionsResult Validate(string? name, RedisClientSettings options)
    {
        if (name != connectionName)
        {
            return ValidateOptionsResult.Skip;
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                $"No Redis connection string: set ConnectionStrings:{connectionName} (or MlAspire:Redis:ConnectionString).");
        }

        return RedisOptions.TryParse(options.ConnectionString, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"ConnectionStrings:{connectionName}: {error}");
    }
}
