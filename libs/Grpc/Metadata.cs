using System.Collections;

namespace MlAspire.Grpc;

/// <summary>Call metadata (request headers, response headers, trailers). Keys are lower-case; order is kept.</summary>
public sealed class Metadata : IList<MetadataEntry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<MetadataEntry> _entries = [];

    public int Count => _entries.Count;

    public bool IsReadOnly => false;

    public MetadataEntry this[int index]
    {
        get => _entries[index];
        set => _entries[index] = value;
    }

    public void Add(string key, string value) => _entries.Add(new MetadataEntry(key, value));

    public void Add(string key, byte[] value) => _entries.Add(new MetadataEntry(key, value));

    public void Add(MetadataEntry item) => _entries.Add(item);

    /// <summary>The first entry with <paramref name="key"/>, or null.</summary>
    public MetadataEntry? Get(string key)
    {
        foreach (var e in _entries)
        {
            if (string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return e;
            }
        }

        return null;
    }

    public string? GetValue(string key) => Get(key) is { IsBinary: false } e ? e.Value : null;

    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    public IEnumerable<MetadataEntry> GetAll(string key) =>
        _entries.Where(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));

    public void Clear() => _entries.Clear();

    public bool Contains(MetadataEntry item) => _entries.Contains(item);

    public void CopyTo(MetadataEntry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    public IEnumerator<MetadataEntry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public int IndexOf(MetadataEntry item) => _entries.IndexOf(item);

    public void Insert(int index, MetadataEntry item) => _entries.Insert(index, item);

    public bool Remove(MetadataEntry item) => _entries.Remove(item);

    public void RemoveAt(int index) => _entries.RemoveAt(index);

    internal static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var c in key)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';
            if (!ok)
            {
                throw new ArgumentException($"Metadata key '{key}' holds a character outside [a-z0-9-_.].", nameof(key));
            }
        }

        return key.ToLowerInvariant();
    }
}
