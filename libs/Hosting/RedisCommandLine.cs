namespace MlAspire.Hosting;

/// <summary>The container form of the Redis command line, shared by <c>docker run</c> and the manifest.
/// As in Aspire, the password reaches <c>redis-server</c> through <c>$REDIS_PASSWORD</c> so it never sits in the args.</summary>
internal static class RedisCommandLine
{
    public const string Entrypoint = "/bin/sh";
    public const string PasswordVariable = "REDIS_PASSWORD";

    public static IReadOnlyList<string> ContainerArgs(RedisResource redis)
    {
        var command = "redis-server";
        if (redis.PasswordParameter is not null)
        {
            command += $" --requirepass ${PasswordVariable}";
        }

        foreach (var argument in redis.PersistenceArguments)
        {
            command += " " + argument;
        }

        return ["-c", command];
    }
}
