namespace MlAspire.Imaging;

/// <summary>
/// Upper bounds checked against an image's header before any pixel memory is allocated.
/// The defaults (8192 × 8192, 40 megapixels, 64 MiB encoded) admit any photo a phone takes.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>The default limits.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>Largest accepted width in pixels.</summary>
    public int MaxWidth { get; init; } = 8192;

    /// <summary>Largest accepted height in pixels.</summary>
    public int MaxHeight { get; init; } = 8192;

    /// <summary>Largest accepted width × height.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Largest accepted encoded size in bytes.</summary>
    public int MaxEncodedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first property that is not positive.</summary>
    public void Validate()
    {
        if (MaxWidth <= 0)
        {
            throw new ArgumentException($"{nameof(MaxWidth)} must be positive, not {MaxWidth}.", nameof(MaxWidth));
        }

        if (MaxHeight <= 0)
        {
            throw new ArgumentException($"{nameof(MaxHeight)} must be positive, not {MaxHeight}.", nameof(MaxHeight));
        }

        if (MaxPixels <= 0)
        {
            throw new ArgumentException($"{nameof(MaxPixels)} must be positive, not {MaxPixels}.", nameof(MaxPixels));
        }

        if (MaxEncodedBytes <= 0)
        {
            throw new ArgumentException(
                $"{nameof(MaxEncodedBytes)} must be positive, not {MaxEncodedBytes}.", nameof(MaxEncodedBytes));
        }
    }

    /// <summary>Throws <see cref="ImageDecodeException"/> (<see cref="ImageDecodeError.TooLarge"/>) when the image exceeds a limit.</summary>
    public void EnsureWithin(in ImageInfo info)
    {
        if (info.Width > MaxWidth || info.Height > MaxHeight || info.PixelCount > MaxPixels)
        {
            throw new ImageDecodeException(
                ImageDecodeError.TooLarge,
                $"The {info.Format} image is {info.Width}x{info.Height}; the limit is {MaxWidth}x{MaxHeight} and {MaxPixels} pixels.");
        }
    }

    /// <summary>Throws <see cref="ImageDecodeException"/> (<see cref="ImageDecodeError.TooLarge"/>) when the encoded data is too long.</summary>
    public void EnsureEncodedLengthWithin(int length)
    {
        if (length > MaxEncodedBytes)
        {
            throw new ImageDecodeException(
                ImageDecodeError.TooLarge,
                $"The encoded image is {length} bytes; the limit is {MaxEncodedBytes} bytes.");
        }
    }
}
