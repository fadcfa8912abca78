using System.Security.Cryptography;
using System.Text;

namespace MlAspire.Redis;

/// <summary>
/// A Lua script identified by its SHA1. <see cref="RedisClient.ScriptEvaluateAsync(LoadedScript, IReadOnlyList{string}, IReadOnlyList{RedisValue}, CancellationToken)"/>
/// sends <c>EVALSHA</c> and, when the server does not know the script (NOSCRIPT, for example after a restart), falls back
/// to <c>EVAL</c>, which also caches it again.
/// </summary>
public sealed class LoadedScript
{
    public LoadedScript(string script)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(script);
        Script = script;
#pragma warning disable CA5350 // SHA1 is how Redis names scripts (EVALSHA); it is an identifier here, not a security measure.
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
#pragma warning restore CA5350
    }

    public string Script { get; }

    /// <summary>Lower-case hex SHA1, as <c>SCRIPT LOAD</c> returns it.</summary>
    public string Sha1 { get; }
}
