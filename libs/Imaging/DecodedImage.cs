using System.Buffers;

namespace MlAspire.Imaging;

/// <summary>
/// A decoded image: 8-bit interleaved pixels, rows packed (stride = width × channels), in a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/> that <see cref="Dispose"/> returns. Not thread-safe; dispose exactly once.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    private byte[]? _buffer;

    internal DecodedImage(byte[] buffer, int width, int height, PixelFormat pixelFormat, ImageInfo source, int scaleNum, int scaleDenom)
    {
        _buffer = buffer;
        Width = width;
        Height = height;
        PixelFormat = pixelFormat;
        Source = source;
        ScaleNumerator = scaleNum;
        ScaleDenominator = scaleDenom;
    }

    /// <summary>Decoded width (the source width, or less when a JPEG was scaled at decode time).</summary>
    public int Width { get; }

    /// <summary>Decoded height.</summary>
    public int Height { get; }

    /// <summary>The pixel layout.</summary>
    public PixelFormat PixelFormat { get; }

    /// <summary>Bytes per pixel (1 or 3).</summary>
    public int Channels => (int)PixelFormat;

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    /// <summary>The header of the encoded image (its full dimensions and declared colour type).</summary>
    public ImageInfo Source { get; }

    /// <summary>Numerator of the decode-time scale (1 and 1 when not scaled).</summary>
    public int ScaleNumerator { get; }

    /// <summary>Denominator of the decode-time scale.</summary>
    public int ScaleDenominator { get; }

    /// <summary>The pixels: <see cref="Height"/> rows of <see cref="Stride"/> bytes.</summary>
    public ReadOnlySpan<byte> Pixels
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _buffer.AsSpan(0, Stride * Height);
        }
    }

    /// <summary>Returns the pixel buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
