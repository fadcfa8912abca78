namespace MlAspire.Imaging;

/// <summary>What an encoded image's header declares, read without decoding any pixels.</summary>
/// <param name="Format">The container format.</param>
/// <param name="Width">Width in pixels (at least 1).</param>
/// <param name="Height">Height in pixels (at least 1).</param>
/// <param name="ColorType">The declared colour model.</param>
/// <param name="Channels">Samples per pixel as stored (palette images count 1: the index).</param>
/// <param name="BitDepth">Bits per sample as stored (PNG: 1, 2, 4, 8 or 16; JPEG: the SOF precision).</param>
/// <param name="IsInterlaced">PNG Adam7 interlacing, or a progressive JPEG.</param>
public readonly record struct ImageInfo(
    ImageFormat Format,
    int Width,
    int Height,
    ImageColorType ColorType,
    int Channels,
    int BitDepth,
    bool IsInterlaced)
{
    /// <summary>Width × height, as a 64-bit count (cannot overflow).</summary>
    public long PixelCount => (long)Width * Height;
}
