namespace MlAspire.Imaging;

/// <summary>The one exception this library throws for bad image input; <see cref="Error"/> says why.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception with a reason and a message for humans.</summary>
    public ImageDecodeException(ImageDecodeError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception with a reason, a message and the underlying cause.</summary>
    public ImageDecodeException(ImageDecodeError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Creates an exception of reason <see cref="ImageDecodeError.Corrupt"/>.</summary>
    public ImageDecodeException()
        : this(ImageDecodeError.Corrupt, "The image could not be decoded.")
    {
    }

    /// <summary>Creates an exception of reason <see cref="ImageDecodeError.Corrupt"/>.</summary>
    public ImageDecodeException(string message)
        : this(ImageDecodeError.Corrupt, message)
    {
    }

    /// <summary>Creates an exception of reason <see cref="ImageDecodeError.Corrupt"/>.</summary>
    public ImageDecodeException(string message, Exception innerException)
        : this(ImageDecodeError.Corrupt, message, innerException)
    {
    }

    /// <summary>Why the image was rejected.</summary>
    public ImageDecodeError Error { get; }
}
