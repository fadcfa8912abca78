namespace MlAspire.Redis;

/// <summary>The server answered with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>, <c>-NOSCRIPT ...</c>).</summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException()
        : this("ERR")
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
        Prefix = ParsePrefix(message);
    }

    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Prefix = ParsePrefix(message);
    }

    /// <summary>The error code: the first word of the error when it is upper case (ERR, WRONGTYPE, NOSCRIPT, BUSYGROUP...).</summary>
    public string Prefix { get; }

    private static string ParsePrefix(string message)
    {
        var end = message.IndexOf(' ', StringComparison.Ordinal);
        var word = end < 0 ? message : message[..end];
        foreach (var c in word)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-'))
            {
                return "ERR";
            }
        }

        return word.Length == 0 ? "ERR" : word;
    }
}
