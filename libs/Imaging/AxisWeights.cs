using System.Buffers;

namespace MlAspire.Imaging;

/// <summary>
/// Separable resampling weights for one axis: output i reads source pixels Start[i] .. Start[i] + Count[i] - 1
/// with weights Weights[i·Taps + k]. Arrays are rented from the shared pools and returned by <see cref="Dispose"/>.
/// </summary>
internal readonly struct AxisWeights : IDisposable
{
    private AxisWeights(int[] start, int[] count, float[] weights, int taps)
    {
        Start = start;
        Count = count;
        Weights = weights;
        Taps = taps;
    }

    public int[] Start { get; }

    public int[] Count { get; }

    public float[] Weights { get; }

    public int Taps { get; }

    public static AxisWeights Create(int sourceSize, int destinationSize, ResizeMode mode)
    {
        var scale = (double)sourceSize / destinationSize;
        var area = mode == ResizeMode.Area && sourceSize >= destinationSize;
        var taps = area ? (int)Math.Ceiling(scale) + 1 : 2;
        var start = ArrayPool<int>.Shared.Rent(destinationSize);
        var count = ArrayPool<int>.Shared.Rent(destinationSize);
        var weights = ArrayPool<float>.Shared.Rent(destinationSize * taps);
        for (var i = 0; i < destinationSize; i++)
        {
            var w = weights.AsSpan(i * taps, taps);
            if (area)
            {
                FillArea(i, scale, sourceSize, w, out start[i], out count[i]);
            }
            else
            {
                FillBilinear(i, scale, sourceSize, w, out start[i], out count[i]);
            }
        }

        return new AxisWeights(start, count, weights, taps);
    }

    // Output pixel i covers source interval [i·s, (i+1)·s); source pixel j covers [j, j+1).
    private static void FillArea(int i, double scale, int sourceSize, Span<float> w, out int start, out int count)
    {
        var lo = i * scale;
        var hi = Math.Min((i + 1) * scale, sourceSize);
        var first = Math.Min((int)Math.Floor(lo), sourceSize - 1);
        var last = Math.Min((int)Math.Ceiling(hi) - 1, sourceSize - 1);
        start = first;
        count = 0;
        double sum = 0;
        for (var j = first; j <= last && count < w.Length; j++)
        {
            var overlap = Math.Min(hi, j + 1) - Math.Max(lo, j);
            if (overlap <= 0)
            {
                continue;
            }

            if (count == 0)
            {
                start = j;
            }

            w[count++] = (float)overlap;
            sum += overlap;
        }

        for (var k = 0; k < count; k++)
        {
            w[k] = (float)(w[k] / sum);
        }
    }

    private static void FillBilinear(int i, double scale, int sourceSize, Span<float> w, out int start, out int count)
    {
        var center = ((i + 0.5) * scale) - 0.5;
        var x0 = (int)Math.Floor(center);
        var frac = center - x0;
        if (x0 < 0)
        {
            x0 = 0;
            frac = 0;
        }

        if (x0 >= sourceSize - 1)
        {
            x0 = sourceSize - 1;
            frac = 0;
        }

        start = x0;
        if (frac == 0)
        {
            w[0] = 1f;
            count = 1;
        }
        else
        {
            w[0] = (float)(1 - frac);
            w[1] = (float)frac;
            count = 2;
        }
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(Start);
        ArrayPool<int>.Shared.Return(Count);
        ArrayPool<float>.Shared.Return(Weights);
    }
}
