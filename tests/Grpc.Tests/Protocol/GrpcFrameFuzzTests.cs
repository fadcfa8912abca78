using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;
using MlAspire.Grpc.Internal;
using MlAspire.Grpc.Tests.Interop.Messages;
using MlAspire.Tests.Shared;
using Xunit.Abstractions;

namespace MlAspire.Grpc.Tests.Protocol;

/// <summary>
/// Bounded fuzzing of the Length-Prefixed-Message reader: random bytes and mutations of valid plain and gzip frames,
/// written into a pipe in random segments and read back through <see cref="GrpcMessageIO.ReadMessageAsync{T}"/> (the
/// server's and the client's read path), and parsed once more from a single buffer with <see cref="GrpcMessageIO.TryParse{T}"/>.
/// Only <see cref="RpcException"/> may escape, both readings must agree, every read returns (the pipe's schedulers are
/// inline, so a read that waits for bytes that never come shows up as a call that has not completed), and the run stops
/// after a fixed number of iterations or a few seconds. The seeds are fixed; a failing input is printed in base64.
/// </summary>
public sealed class GrpcFrameFuzzTests(ITestOutputHelper output)
{
    private const int MaxIterations = 20_000;
    private const int MaxMessageSize = 4096;
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    private static readonly StreamingOutputCallRequest[] s_messages =
    [
        new(),
        new() { Payload = new Payload { Body = ByteString.CopyFrom(new byte[300]) } },
        new()
        {
            ResponseParameters = { new ResponseParameters { Size = 10, IntervalUs = 5 }, new ResponseParameters { Size = -1, Compressed = new BoolValue { Value = true } } },
            ResponseStatus = new EchoStatus { Code = 3, Message = "détail ✓" },
        },
        new() { Payload = new Payload { Body = ByteString.CopyFrom(Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray()) }, ResponseStatus = new EchoStatus { Message = new string('x', 200) } },
    ];

    private static readonly byte[][] s_corpus =
    [
        .. s_messages.Select(m => GrpcMessageIO.SerializeFrame(m, int.MaxValue, gzip: false, CompressionLevel.Fastest)),
        .. s_messages.Select(m => GrpcMessageIO.SerializeFrame(m, int.MaxValue, gzip: true, CompressionLevel.Fastest)),
        [.. GrpcMessageIO.SerializeFrame(s_messages[2], int.MaxValue, false, CompressionLevel.Fastest), .. GrpcMessageIO.SerializeFrame(s_messages[1], int.MaxValue, true, CompressionLevel.Fastest)],
    ];

    [Fact]
    public async Task MutatedFramesOnlyEverDecodeOrFailWithRpcException()
    {
        using var cts = new CancellationTokenSource(s_hangGuard);
        var stats = await Task.Run(() => FuzzAsync(new Random(20260412), random => Mutate(s_corpus[random.Next(s_corpus.Length)], random), cts.Token), cts.Token)
            .WaitAsync(cts.Token);

        output.WriteLine(stats.ToString());
        Assert.True(stats.Iterations > 0);
        Assert.True(stats.Decoded > 0, "some mutations keep valid frames");
        Assert.True(stats.Failed.Count > 1, "mutations should fail with more than one status: " + string.Join(", ", stats.Failed.Keys));
    }

    [Fact]
    public async Task RandomBytesOnlyEverDecodeOrFailWithRpcException()
    {
        using var cts = new CancellationTokenSource(s_hangGuard);
        var stats = await Task.Run(
            () => FuzzAsync(new Random(11), random =>
            {
                var input = new byte[random.Next(0, 600)];
                random.NextBytes(input);
                if (input.Length >= 5 && random.Next(2) == 0)
                {
                    // A plausible header (flag 0 or 1, a small length) so the payload, not the header, is what is random.
                    input[0] = (byte)random.Next(2);
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(1), (uint)random.Next(input.Length));
                }

                return input;
            }, cts.Token),
            cts.Token).WaitAsync(cts.Token);

        output.WriteLine(stats.ToString());
        Assert.True(stats.Iterations > 0);
        Assert.True(stats.Failed.Count > 0);
    }

    private static async Task<FuzzStats> FuzzAsync(Random random, Func<Random, byte[]> next, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var stats = new FuzzStats();
        while (stats.Iterations < MaxIterations && stopwatch.Elapsed < s_budget)
        {
            var input = next(random);
            var gzip = random.Next(4) != 0;
            var streamed = await ReadThroughPipeAsync(input, Cut(input.Length, random), gzip, cancellationToken);
            var parsed = ParseWhole(input, gzip);
            Assert.True(streamed.Messages.SequenceEqual(parsed.Messages) && streamed.Failure == parsed.Failure,
                $"Pipe and buffer disagree ({streamed.Messages.Count}/{streamed.Failure} vs {parsed.Messages.Count}/{parsed.Failure}) for gzip={gzip} {Convert.ToBase64String(input)}");
            if (streamed.Failure is { } status)
            {
                stats.Failed[status] = stats.Failed.GetValueOrDefault(status) + 1;
            }
            else
            {
                stats.Decoded++;
            }

            stats.Iterations++;
        }

        stats.Elapsed = stopwatch.Elapsed;
        return stats;
    }

    /// <summary>Random cut points: the segments the bytes arrive in.</summary>
    private static int[] Cut(int length, Random random)
    {
        var cuts = new SortedSet<int> { 0, length };
        for (var i = random.Next(0, Math.Min(length, 12)); i > 0; i--)
        {
            cuts.Add(random.Next(length + 1));
        }

        return [.. cuts];
    }

    /// <summary>Writes <paramref name="input"/> in the given segments while ReadMessageAsync reads until the end of stream.</summary>
    private static async Task<Outcome> ReadThroughPipeAsync(byte[] input, int[] cuts, bool gzip, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: 64,
            useSynchronizationContext: false));
        var reading = ReadAllAsync(pipe.Reader, gzip, input, cancellationToken);
        for (var i = 1; i < cuts.Length; i++)
        {
            await pipe.Writer.WriteAsync(input.AsMemory(cuts[i - 1], cuts[i] - cuts[i - 1]), cancellationToken);
        }

        await pipe.Writer.CompleteAsync();

        // Inline schedulers: once the writer completes, a reader that still has not returned is stuck.
        Assert.True(reading.IsCompleted, $"ReadMessageAsync did not return at the end of the stream for {Convert.ToBase64String(input)}");
        return await reading;
    }

    private static async Task<Outcome> ReadAllAsync(PipeReader reader, bool gzip, byte[] input, CancellationToken cancellationToken)
    {
        var messages = new List<StreamingOutputCallRequest>();
        try
        {
            while (await GrpcMessageIO.ReadMessageAsync(reader, StreamingOutputCallRequest.Parser, MaxMessageSize, gzip, cancellationToken) is { Message: { } message })
            {
                messages.Add(message);
            }

            return new Outcome(messages, null);
        }
        catch (RpcException e)
        {
            return new Outcome(messages, e.StatusCode);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Assert.Fail($"{e.GetType().Name} instead of RpcException (gzip={gzip}) for {Convert.ToBase64String(input)}: {e}");
            throw;
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>The same bytes from one buffer: frames until none is left; a partial frame at the end is INTERNAL.</summary>
    private static Outcome ParseWhole(byte[] input, bool gzip)
    {
        var messages = new List<StreamingOutputCallRequest>();
        var buffer = new ReadOnlySequence<byte>(input);
        try
        {
            while (GrpcMessageIO.TryParse(ref buffer, StreamingOutputCallRequest.Parser, MaxMessageSize, gzip, out var message, out _))
            {
                messages.Add(message!);
            }

            return new Outcome(messages, buffer.IsEmpty ? null : StatusCode.Internal);
        }
        catch (RpcException e)
        {
            return new Outcome(messages, e.StatusCode);
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} instead of RpcException (gzip={gzip}) for {Convert.ToBase64String(input)}: {e}");
            throw;
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0: // bit flips anywhere
                return ByteMutations.FlipBits(data, random, maxFlips: 4);
            case 1: // the 5-byte header: flag and length
                data[random.Next(Math.Min(5, data.Length))] = (byte)random.Next(256);
                return data;
            case 2: // truncation
                return ByteMutations.Truncate(data, random);
            case 3: // bytes overwritten in the payload (protobuf tags, varints, lengths; gzip headers)
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }

                return data;
            case 4: // a segment duplicated elsewhere
                return ByteMutations.DuplicateSegment(data, random, maxLength: 32);

            default: // a run of 0xFF or 0x00
            {
                var at = random.Next(data.Length);
                data.AsSpan(at, Math.Min(random.Next(1, 16), data.Length - at)).Fill(random.Next(2) == 0 ? (byte)0xFF : (byte)0x00);
                return data;
            }
        }
    }

    private readonly record struct Outcome(List<StreamingOutputCallRequest> Messages, StatusCode? Failure);

    private sealed class FuzzStats
    {
        public int Iterations { get; set; }

        public int Decoded { get; set; }

        public Dictionary<StatusCode, int> Failed { get; } = [];

        public TimeSpan Elapsed { get; set; }

        public override string ToString() =>
            $"{Iterations} inputs in {Elapsed.TotalSeconds:F1} s: {Decoded} decoded, failed: {string.Join(", ", Failed.Select(f => $"{f.Key} {f.Value}"))}.";
    }
}
