using System.Buffers;
using System.Diagnostics;
using System.Text;
using MlAspire.Tests.Shared;
using Xunit.Abstractions;

namespace MlAspire.Redis.Tests;

/// <summary>
/// Bounded fuzzing of <see cref="RespReader.TryRead"/>: random bytes and mutations (bit flips, overwrites with RESP-
/// significant bytes, truncations, duplicated and inserted segments) of valid RESP2/RESP3 replies, each read once from a
/// single segment and once from random segments. Allowed outcomes: replies, "need more data" (false, buffer untouched)
/// or <see cref="RedisProtocolException"/>; both segmentations must agree, every successful read must consume bytes, and
/// the whole run is bounded by iterations, a few seconds of wall time and a hang guard. The seeds are fixed, so a
/// failure reproduces; its input is printed in base64.
/// </summary>
public sealed class RespReaderFuzzTests(ITestOutputHelper output)
{
    private const int MaxIterations = 50_000;
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static readonly byte[][] s_corpus = new[]
    {
        "+OK\r\n",
        "-ERR wrong type\r\n",
        ":-9223372036854775808\r\n",
        "$5\r\nhello\r\n",
        "$0\r\n\r\n",
        "$-1\r\n",
        "*3\r\n:1\r\n$3\r\nabc\r\n*-1\r\n",
        "*2\r\n*2\r\n+a\r\n+b\r\n*1\r\n_\r\n",
        "_\r\n",
        ",-1.5e10\r\n",
        ",inf\r\n",
        "#t\r\n",
        "(-123456789012345678901234567890\r\n",
        "=8\r\ntxt:abcd\r\n",
        "!10\r\nERR broken\r\n",
        "%2\r\n$1\r\nk\r\n:1\r\n+m\r\n~2\r\n#f\r\n,0\r\n",
        "~2\r\n:1\r\n:2\r\n",
        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
        "|1\r\n+ttl\r\n:3600\r\n$2\r\nok\r\n",
        "*4\r\n$4\r\nname\r\n%1\r\n+x\r\n*2\r\n:1\r\n:2\r\n=7\r\nmkd:abc\r\n_\r\n",
    }.Select(Encoding.ASCII.GetBytes).ToArray();

    private static readonly byte[] s_significant = "\r\n$*%~>|_,#(=!+-:0123456789"u8.ToArray();

    [Fact]
    public async Task MutatedRepliesOnlyEverParseOrThrowRedisProtocolException()
    {
        using var cts = new CancellationTokenSource(s_hangGuard);
        var stats = await Task.Run(() => Fuzz(new Random(20260311), random => Mutate(s_corpus[random.Next(s_corpus.Length)], random)), cts.Token)
            .WaitAsync(cts.Token);

        output.WriteLine(stats.ToString());
        Assert.True(stats.Iterations > 0);
        Assert.True(stats.Parsed > 0, "some mutations keep a valid reply");
        Assert.True(stats.Rejected > 0, "some mutations must be malformed");
        Assert.True(stats.Incomplete > 0, "some mutations must be incomplete");
    }

    [Fact]
    public async Task RandomBytesBehindAValidTypeByteOnlyEverParseOrThrowRedisProtocolException()
    {
        using var cts = new CancellationTokenSource(s_hangGuard);
        var stats = await Task.Run(
            () => Fuzz(new Random(5), random =>
            {
                // Mostly RESP-significant bytes, with CRLF often enough that lines end and headers get parsed.
                var input = new byte[random.Next(1, 256)];
                for (var i = 0; i < input.Length; i++)
                {
                    input[i] = random.Next(4) switch
                    {
                        0 => (byte)random.Next(256),
                        1 when i + 1 < input.Length => (byte)'\r',
                        _ => s_significant[random.Next(s_significant.Length)],
                    };
                    if (input[i] == (byte)'\r' && i + 1 < input.Length && random.Next(4) != 0)
                    {
                        input[++i] = (byte)'\n';
                    }
                }

                input[0] = "+-:$*%~>|_,#(=!"u8[random.Next(15)];
                return input;
            }),
            cts.Token).WaitAsync(cts.Token);

        output.WriteLine(stats.ToString());
        Assert.True(stats.Iterations > 0);
        Assert.True(stats.Rejected > 0, "random bytes are mostly malformed");
        Assert.True(stats.Parsed + stats.Incomplete > 0, "some random inputs get past the first line");
    }

    private static FuzzStats Fuzz(Random random, Func<Random, byte[]> next)
    {
        var stopwatch = Stopwatch.StartNew();
        var stats = new FuzzStats();
        while (stats.Iterations < MaxIterations && stopwatch.Elapsed < s_budget)
        {
            var input = next(random);
            var whole = ReadAll(new ReadOnlySequence<byte>(input), input);
            var offsets = Enumerable.Range(0, random.Next(1, Math.Max(2, input.Length))).Select(_ => random.Next(1, Math.Max(2, input.Length))).ToArray();
            var split = ReadAll(Segments.Split(input, offsets), input);
            Assert.True(whole == split, $"Split reading disagrees: '{whole}' vs '{split}' for {Convert.ToBase64String(input)}");
            switch (whole.Ending)
            {
                case Ending.Consumed:
                    stats.Parsed++;
                    break;
                case Ending.Incomplete:
                    stats.Incomplete++;
                    break;
                default:
                    stats.Rejected++;
                    break;
            }

            stats.Iterations++;
        }

        stats.Elapsed = stopwatch.Elapsed;
        return stats;
    }

    /// <summary>Reads replies until the buffer is used up, a reply is incomplete, or the reader throws.</summary>
    private static Outcome ReadAll(ReadOnlySequence<byte> buffer, byte[] input)
    {
        var replies = new StringBuilder();
        try
        {
            while (!buffer.IsEmpty)
            {
                var before = buffer.Length;
                if (!RespReader.TryRead(ref buffer, out var reply))
                {
                    Assert.True(buffer.Length == before, $"'need more data' moved the buffer for {Convert.ToBase64String(input)}");
                    return new Outcome(Ending.Incomplete, replies.ToString());
                }

                Assert.True(buffer.Length < before, $"A reply consumed no bytes for {Convert.ToBase64String(input)}");
                replies.Append(reply).Append(';');
            }

            return new Outcome(Ending.Consumed, replies.ToString());
        }
        catch (RedisProtocolException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return new Outcome(Ending.Rejected, replies.ToString());
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{e.GetType().Name} instead of RedisProtocolException for {Convert.ToBase64String(input)}: {e}");
            throw;
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0: // bit flips
                return ByteMutations.FlipBits(data, random, maxFlips: 3);
            case 1: // bytes that mean something in RESP
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    data[random.Next(data.Length)] = s_significant[random.Next(s_significant.Length)];
                }

                return data;
            case 2: // truncation
                return ByteMutations.Truncate(data, random);
            case 3: // a segment duplicated elsewhere
                return ByteMutations.DuplicateSegment(data, random, maxLength: 16);

            case 4: // digits inserted (lengths and counts that lie, overflow or go negative)
            {
                var to = random.Next(data.Length + 1);
                var digits = new byte[random.Next(1, 22)];
                for (var i = 0; i < digits.Length; i++)
                {
                    digits[i] = (byte)('0' + random.Next(10));
                }

                if (random.Next(3) == 0)
                {
                    digits[0] = (byte)'-';
                }

                return [.. data.AsSpan(0, to), .. digits, .. data.AsSpan(to)];
            }

            default: // two replies back to back, the second mutated by a bit flip
            {
                var second = (byte[])s_corpus[random.Next(s_corpus.Length)].Clone();
                second[random.Next(second.Length)] ^= (byte)(1 << random.Next(8));
                return [.. data, .. second];
            }
        }
    }

    private enum Ending
    {
        Consumed,
        Incomplete,
        Rejected,
    }

    private readonly record struct Outcome(Ending Ending, string Replies);

    private sealed class FuzzStats
    {
        public int Iterations { get; set; }

        public int Parsed { get; set; }

        public int Incomplete { get; set; }

        public int Rejected { get; set; }

        public TimeSpan Elapsed { get; set; }

        public override string ToString() =>
            $"{Iterations} inputs in {Elapsed.TotalSeconds:F1} s: {Parsed} parsed, {Incomplete} incomplete, {Rejected} rejected.";
    }
}
