using System.Buffers;

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
        var rented = ArrayPool<float>.Shared.Rent((lastRow - firstRow + 1) * rowFloats);
        try
        {
            var tmp = rented.AsSpan(0, (lastRow - firstRow + 1) * rowFloats);
            var stride = width * channels;
            for (var y = firstRow; y <= lastRow; y++)
            {
                HorizontalRow(pixels.Slice(y * stride, stride), channels, xw, outW, tmp.Slice((y - firstRow) * rowFloats, rowFloats));
            }

            Span<float> acc = rowFloats <= 4096 ? stackalloc float[rowFloats] : new float[rowFloats];
            var plane = outW * outH;
            for (var oy = 0; oy < outH; oy++)
            {
                acc.Clear();
                var taps = yw.Count[oy];
                for (var k = 0; k < taps; k++)
                {
                    var weight = yw.Weights[(oy * yw.Taps) + k];
                    var row = tmp.Slice((yw.Start[oy] + k - firstRow) * rowFloats, rowFloats);
                    for (var i = 0; i < rowFloats; i++)
                    {
                        acc[i] += weight * row[i];
                    }
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
                        for (var x = 0; x < outW; x++)
                        {
                            outRow[x] = (acc[(x * channels) + c] * a) + b;
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

    private static void HorizontalRow(ReadOnlySpan<byte> src, int channels, in AxisWeights xw, int outW, Span<float> dst)
    {
        var weights = xw.Weights;
        var tapsStride = xw.Taps;
        for (var ox = 0; ox < outW; ox++)
        {
            var start = xw.Start[ox];
            var count = xw.Count[ox];
            var wBase = ox * tapsStride;
            for (var c = 0; c < channels; c++)
            {
                float sum = 0;
                for (var k = 0; k < count; k++)
                {
                    sum += weights[wBase + k] * src[((start + k) * channels) + c];
                }

                dst[(ox * channels) + c] = sum;
            }
        }
    }
}
