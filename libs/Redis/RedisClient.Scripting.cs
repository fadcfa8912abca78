namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary><c>EVAL script numkeys key... arg...</c>.</summary>
    public Task<RedisResult> ScriptEvaluateAsync(
        string script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisValue>? args = null, CancellationToken cancellationToken = default) =>
        ExecuteCoreAsync("EVAL", ScriptArgs(script, keys, args), TimeSpan.Zero, cancellationToken);

    /// <summary><c>EVALSHA</c> with a fall back to <c>EVAL</c> on NOSCRIPT.</summary>
    public async Task<RedisResult> ScriptEvaluateAsync(
        LoadedScript script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisValue>? args = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ExecuteCoreAsync("EVALSHA", ScriptArgs(script.Sha1, keys, args), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Prefix == "NOSCRIPT")
        {
            return await ExecuteCoreAsync("EVAL", ScriptArgs(script.Script, keys, args), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>SCRIPT LOAD script</c>: caches the script on the server and returns it ready for EVALSHA.</summary>
    public async Task<LoadedScript> ScriptLoadAsync(string script, CancellationToken cancellationToken = default)
    {
        var loaded = new LoadedScript(script);
        var sha = (await ExecuteCoreAsync("SCRIPT", ["LOAD", script], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsString();
        if (!string.Equals(sha, loaded.Sha1, StringComparison.OrdinalIgnoreCase))
        {
            throw new RedisProtocolException($"SCRIPT LOAD returned SHA1 {sha}, expected {loaded.Sha1}.");
        }

        return loaded;
    }

    private static RedisValue[] ScriptArgs(string scriptOrSha, IReadOnlyList<string>? keys, IReadOnlyList<RedisValue>? args)
    {
        var keyCount = keys?.Count ?? 0;
        var argCount = args?.Count ?? 0;
        var values = new RedisValue[2 + keyCount + argCount];
        values[0] = scriptOrSha;
        values[1] = keyCount;
        for (var i = 0; i < keyCount; i++)
        {
            values[2 + i] = keys![i];
        }

        for (var i = 0; i < argCount; i++)
        {
            values[2 + keyCount + i] = args![i];
        }

        return values;
    }
}
