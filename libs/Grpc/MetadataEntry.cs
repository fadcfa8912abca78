using System.Text;

namespace MlAspire.Grpc;

/// <summary>One metadata entry: an ASCII value, or a binary value for keys ending in "-bin".</summary>
public sealed class MetadataEntry
{
    private readonly string? _value;
    private readonly byte[]? _bytes;

    public MetadataEntry(string key, string value)
    {
        Key = Metadata.NormalizeKey(key);
        if (IsBinary)
        {
            throw new ArgumentException("A key ending in '-bin' takes a binary value.", nameof(key));
        }

        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E)
            {
                throw new ArgumentException("ASCII metadata values hold printable ASCII only.", nameof(value));
            }
        }

        _value = value;
    }

    public MetadataEntry(string key, byte[] value)
    {
        Key = Metadata.NormalizeKey(key);
        if (!IsBinary)
        {
            throw new ArgumentException("A binary value needs a key ending in '-bin'.", nameof(key));
        }

        _bytes = value;
    }

    public string Key { get; }

    public bool IsBinary => Key.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal);

    /// <summary>The ASCII value; for a binary entry, its bytes read as Latin-1 is not useful, so this throws.</summary>
    public string Value => _value ?? throw new InvalidOperationException("The entry is binary; read ValueBytes.");

    public byte[] ValueBytes => _bytes ?? Encoding.ASCII.GetBytes(_value!);

    public override string ToString() => IsBinary ? $"{Key}: ({_bytes!.Length} bytes)" : $"{Key}: {_value}";
}
