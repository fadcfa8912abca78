using System.Security.Cryptography;

namespace MlAspire.Hosting;

/// <summary>Generates parameter values as <see cref="GenerateParameterDefault"/> describes.</summary>
internal static class SecretGenerator
{
    private const string LowerChars = "abcdefghijklmnopqrstuvwxyz";
    private const string UpperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string NumericChars = "0123456789";
    private const string SpecialChars = "-_.{}~()*+!?";

    public static string Generate(GenerateParameterDefault options)
    {
        var classes = new List<(string Chars, int Min)>();
        if (options.Lower) classes.Add((LowerChars, options.MinLower));
        if (options.Upper) classes.Add((UpperChars, options.MinUpper));
        if (options.Numeric) classes.Add((NumericChars, options.MinNumeric));
        if (options.Special) classes.Add((SpecialChars, options.MinSpecial));
        if (classes.Count == 0)
        {
            throw new DistributedApplicationException("A generated parameter must allow at least one character class.");
        }

        var chars = new List<char>();
        foreach (var (set, min) in classes)
        {
            for (var i = 0; i < min; i++)
            {
                chars.Add(set[RandomNumberGenerator.GetInt32(set.Length)]);
            }
        }

        var all = string.Concat(classes.Select(c => c.Chars));
        while (chars.Count < Math.Max(options.MinLength, 1))
        {
            chars.Add(all[RandomNumberGenerator.GetInt32(all.Length)]);
        }

        var result = chars.ToArray();
        RandomNumberGenerator.Shuffle(result.AsSpan());
        return new string(result);
    }
}
