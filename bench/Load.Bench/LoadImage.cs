namespace MlAspire.Load.Bench;

/// <summary>An image the load tool submits; <see cref="Poison"/> marks one that is expected to fail (never to succeed).</summary>
internal sealed record LoadImage(string Name, byte[] Bytes, string ContentType, bool Poison = false)
{
    /// <summary>A file as a load image: the media type from its extension (.png, .jpg/.jpeg).</summary>
    public static LoadImage FromFile(string path, bool poison = false)
    {
        var extension = Path.GetExtension(path).ToUpperInvariant();
        var type = extension switch
        {
            ".PNG" => "image/png",
            ".JPG" or ".JPEG" => "image/jpeg",
            _ => throw new ArgumentException($"{path}: only .png, .jpg and .jpeg files can be submitted.", nameof(path)),
        };
        return new LoadImage(Path.GetFileName(path), File.ReadAllBytes(path), type, poison);
    }
}
