using System.Buffers;

namespace MlAspire.Redis.Tests;

/// <summary>Builds multi-segment sequences to exercise the parser across segment boundaries.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] data, params int[] offsets)
    {
        var cuts = offsets.Where(o => o > 0 && o < data.Length).Distinct().Order().ToList();
        cuts.Add(data.Length);
        var first = new Segments(data.AsMemory(0, cuts[0]), 0);
        var last = first;
        for (var i = 1; i < cuts.Count; i++)
        {
            var next = new Segments(data.AsMemory(cuts[i - 1], cuts[i] - cuts[i - 1]), cuts[i - 1]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());
}
