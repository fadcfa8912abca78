namespace MlAspire.Tests.Shared;

/// <summary>
/// The format-independent mutations the fuzz tests share (RESP replies, gRPC frames, images). Each changes
/// <c>data</c> in place or returns a new array, drawing from <paramref name="random"/> only, so a seed reproduces a case.
/// </summary>
internal static class ByteMutations
{
    /// <summary>Flips one random bit at 1 to <paramref name="maxFlips"/> random places.</summary>
    public static byte[] FlipBits(byte[] data, Random random, int maxFlips)
    {
        for (var i = random.Next(1, maxFlips + 1); i > 0; i--)
        {
            data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
        }

        return data;
    }

    /// <summary>A random prefix, shorter than the input.</summary>
    public static byte[] Truncate(byte[] data, Random random) => data.AsSpan(0, random.Next(data.Length)).ToArray();

    /// <summary>
    /// Copies a segment of 1 to <paramref name="maxLength"/> bytes to a random place (with <paramref name="mayAppend"/>,
    /// the end counts as a place too).
    /// </summary>
    public static byte[] DuplicateSegment(byte[] data, Random random, int maxLength, bool mayAppend = true)
    {
        var from = random.Next(data.Length);
        var length = random.Next(1, Math.Min(maxLength, data.Length - from) + 1);
        var to = random.Next(mayAppend ? data.Length + 1 : data.Length);
        return [.. data.AsSpan(0, to), .. data.AsSpan(from, length), .. data.AsSpan(to)];
    }
}
