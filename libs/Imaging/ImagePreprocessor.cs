namespace MlAspire.Imaging;

/// <summary>Encoded image → model input tensor, per a model's <see cref="PreprocessingSpec"/>.</summary>
public static class ImagePreprocessor
{
    /// <summary>
    /// Decodes <paramref name="encoded"/> (JPEG or PNG, sniffed), resizes it to the spec's size, normalizes it and
    /// writes <see cref="PreprocessingSpec.TensorLength"/> floats to the start of <paramref name="destination"/>
    /// (e.g. one slot of a batch buffer). JPEGs are scaled down at decode time when a TurboJPEG factor keeps both
    /// dimensions at least the target size.
    /// </summary>
    /// <param name="encoded">The encoded JPEG or PNG.</param>
    /// <param name="spec">The model's preprocessing block.</param>
    /// <param name="destination">Receives <see cref="PreprocessingSpec.TensorLength"/> floats at its start.</param>
    /// <param name="limits">Header limits checked before decoding.</param>
    /// <param name="allowJpegDecodeScaling">False to always decode JPEGs at full size (bit-for-bit the same
    /// pipeline as for PNG, at the cost of speed on large photos).</param>
    /// <exception cref="ImageDecodeException">Bad, unsupported or oversized image.</exception>
    /// <exception cref="ArgumentException">Invalid spec or a destination shorter than the tensor.</exception>
    public static PreprocessResult Preprocess(
        ReadOnlySpan<byte> encoded,
        PreprocessingSpec spec,
        Span<float> destination,
        ImageLimits limits,
        bool allowJpegDecodeScaling = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(limits);
        spec.Validate();
        EnsureDestination(spec, destination);
        using var image = allowJpegDecodeScaling
            ? ImageDecoder.Decode(encoded, spec.PixelFormat, limits, spec.Width, spec.Height)
            : ImageDecoder.Decode(encoded, spec.PixelFormat, limits);
        ResizeAndNormalize(image.Pixels, image.Width, image.Height, spec, destination);
        return new PreprocessResult(
            image.Source.Format,
            image.Source.Width,
            image.Source.Height,
            image.Width,
            image.Height,
            image.ScaleNumerator,
            image.ScaleDenominator);
    }

    /// <summary>
    /// Resizes already-decoded 8-bit pixels (<paramref name="height"/> packed rows of <paramref name="width"/> ×
    /// spec.Channels bytes) and writes the normalized tensor to <paramref name="destination"/>.
    /// </summary>
    public static void ResizeAndNormalize(
        ReadOnlySpan<byte> pixels, int width, int height, PreprocessingSpec spec, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var channels = spec.Channels;
        if (pixels.Length < (long)width * height * channels)
        {
            throw new ArgumentException(
                $"{width}x{height}x{channels} pixels need {(long)width * height * channels} bytes, got {pixels.Length}.",
                nameof(pixels));
        }

        EnsureDestination(spec, destination);

        Span<float> alpha = stackalloc float[3];
        Span<float> beta = stackalloc float[3];
        for (var c = 0; c < channels; c++)
        {
            // out = ((invert ? 255 - v : v) * scale - mean) / std, folded into out = v * alpha + beta.
            var a = (double)spec.Scale / spec.Std[c];
            var b = -(double)spec.Mean[c] / spec.Std[c];
            alpha[c] = (float)(spec.Invert ? -a : a);
            beta[c] = (float)(spec.Invert ? (255 * a) + b : b);
        }

        Resampler.Run(pixels, width, height, channels, spec, alpha, beta, destination);
    }

    private static void EnsureDestination(PreprocessingSpec spec, Span<float> destination)
    {
        if (destination.Length < spec.TensorLength)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} floats; the tensor needs {spec.TensorLength} "
                + $"({spec.Channels}x{spec.Height}x{spec.Width}).",
                nameof(destination));
        }
    }
}
