using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlAspire.Imaging;

/// <summary>Separable resampling (horizontal pass into a float buffer, then vertical) fused with normalization.</summary>
internal static class Resampler
{
    public static void Run(
        ReadOnlySpan<byte> pixels,
        int width,
        int height,
        int channels,
        PreprocessingSpec spec,
        ReadOnlySpan<float> alpha,
        ReadOnlySpan<float> beta,
        Span<float> destination)
    {
        var outW = spec.Width;
        var outH = spec.Height;
        using var xw = AxisWeights.Create(width, outW, spec.Resize);
        using var yw = AxisWeights.Create(height, outH, spec.Resize);

        // Only the source rows some output row reads need the horizontal pass.
        var firstRow = yw.Start[0];
        var lastRow = yw.Start[outH - 1] + yw.Count[outH - 1] - 1;
        var rowFloats = outW * channels;
        var rows = lastRow - firstRow + 1;
        var rented = ArrayPool<float>.Shared.Rent((rows * rowFloats) + rowFloats);
        try
        {
            var tmp = rented.AsSpan(0, rows * rowFloats);
            var acc = rented.AsSpan(rows * rowFloats, rowFloats);
            var stride = width * channels;
            for (var y = firstRow; y <= lastRow; y++)
            {
                var src = pixels.Slice(y * stride, stride);
                var dst = tmp.Slice((y - firstRow) * rowFloats, rowFloats);
                if (channels == 3)
                {
                    HorizontalRgb(src, xw, dst);
                }
                else
                {
                    HorizontalGray(src, xw, dst);
                }
            }

            var plane = outW * outH;
            for (var oy = 0; oy < outH; oy++)
            {
                var taps = yw.Count[oy];
                var wBase = oy * yw.Taps;
                var rowStart = (yw.Start[oy] - firstRow) * rowFloats;
                Scale(tmp.Slice(rowStart, rowFloats), yw.Weights[wBase], acc);
                for (var k = 1; k < taps; k++)
                {
                    AddScaled(tmp.Slice(rowStart + (k * rowFloats), rowFloats), yw.Weights[wBase + k], acc);
                }

                if (spec.Layout == TensorLayout.Nhwc)
                {
                    var outRow = destination.Slice(oy * rowFloats, rowFloats);
                    for (var i = 0; i < rowFloats; i += channels)
                    {
                        for (var c = 0; c < channels; c++)
                        {
                            outRow[i + c] = (acc[i + c] * alpha[c]) + beta[c];
                        }
                    }
                }
                else
                {
                    for (var c = 0; c < channels; c++)
                    {
                        var outRow = destination.Slice((c * plane) + (oy * outW), outW);
                        var a = alpha[c];
                        var b = beta[c];
                        for (int x = 0, i = c; x < outRow.Length; x++, i += channels)
                        {
                            outRow[x] = (acc[i] * a) + b;
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private static void Scale(ReadOnlySpan<float> row, float weight, Span<float> acc)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var w = new Vector<float>(weight);
            var rv = MemoryMarshal.Cast<float, Vector<float>>(row);
            var av = MemoryMarshal.Cast<float, Vector<float>>(acc);
            for (var v = 0; v < rv.Length; v++)
            {
                av[v] = rv[v] * w;
            }

            i = rv.Length * Vector<float>.Count;
        }

        for (; i < row.Length; i++)
        {
            acc[i] = row[i] * weight;
        }
    }

    private static void AddScaled(ReadOnlySpan<float> row, float weight, Span<float> acc)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var w = new Vector<float>(weight);
            var rv = MemoryMarshal.Cast<float, Vector<float>>(row);
            var av = MemoryMarshal.Cast<float, Vector<float>>(acc);
            for (var v = 0; v < rv.Length; v++)
            {
                av[v] += rv[v] * w;
            }

            i = rv.Length * Vector<float>.Count;
        }

        for (; i < row.Length; i++)
        {
            acc[i] += row[i] * weight;
        }
    }

    private static void HorizontalRgb(ReadOnlySpan<byte> src, in AxisWeights xw, Span<float> dst)
    {
        var starts = xw.Start;
        var counts = xw.Count;
        var weights = xw.Weights;
        var taps = xw.Taps;
        ref var s0 = ref MemoryMarshal.GetReference(src);
        var outW = dst.Length / 3;
        for (var ox = 0; ox < outW; ox++)
        {
            // AxisWeights guarantees start + count <= source width, so reads stay inside src.
            var count = counts[ox];
            var w = weights.AsSpan(ox * taps, count);
            ref var p = ref Unsafe.Add(ref s0, starts[ox] * 3);
            float r = 0, g = 0, b = 0;
            for (var k = 0; k < w.Length; k++)
            {
                var wk = w[k];
                r += wk * Unsafe.Add(ref p, 0);
                g += wk * Unsafe.Add(ref p, 1);
                b += wk * Unsafe.Add(ref p, 2);
                p = ref Unsafe.Add(ref p, 3);
            }

            dst[(ox * 3) + 0] = r;
            dst[(ox * 3) + 1] = g;
            dst[(ox * 3) + 2] = b;
        }
    }

    private static void HorizontalGray(ReadOnlySpan<byte> src, in AxisWeights xw, Span<float> dst)
    {
        var starts = xw.Start;
        var counts = xw.Count;
        var weights = xw.Weights;
        var taps = xw.Taps;
        for (var ox = 0; ox < dst.Length; ox++)
        {
            var w = weights.AsSpan(ox * taps, counts[ox]);
            var s = src.Slice(starts[ox], w.Length);
            float sum = 0;
            for (var k = 0; k < w.Length; k++)
            {
                sum += w[k] * s[k];
            }

            dst[ox] = sum;
        }
    }
}
