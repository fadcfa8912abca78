namespace MlAspire.Imaging;

/// <summary>Encoded image container formats, recognised from their magic bytes.</summary>
public enum ImageFormat
{
    /// <summary>Not a format this library decodes (or not recognisable at all).</summary>
    Unknown = 0,

    /// <summary>JPEG/JFIF (starts with FF D8 FF).</summary>
    Jpeg = 1,

    /// <summary>PNG (starts with the 8-byte PNG signature).</summary>
    Png = 2,
}
