namespace MlAspire.Imaging;

/// <summary>Why an image could not be probed or decoded.</summary>
public enum ImageDecodeError
{
    /// <summary>The input holds no bytes.</summary>
    Empty = 0,

    /// <summary>The bytes are not a JPEG or PNG (another format, or unrecognisable).</summary>
    UnsupportedFormat = 1,

    /// <summary>A JPEG or PNG that uses a feature this library does not decode (12-bit or lossless JPEG, ...).</summary>
    UnsupportedFeature = 2,

    /// <summary>The data ends before the image does.</summary>
    Truncated = 3,

    /// <summary>The data is malformed (bad header, bad marker, bad checksum, bad compressed stream, ...).</summary>
    Corrupt = 4,

    /// <summary>The declared dimensions exceed the configured <see cref="ImageLimits"/>.</summary>
    TooLarge = 5,
}
