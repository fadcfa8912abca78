using System.Buffers;
using System.Runtime.InteropServices;

namespace MlAspire.OnnxRuntime;

/// <summary>
/// One model output, copied out of ONNX Runtime into a pooled buffer. The buffer goes back to the pool when the
/// owning <see cref="InferenceResult"/> is disposed; read or copy the data before that.
/// </summary>
public sealed class OutputTensor
{
    private byte[]? _buffer;
    private readonly int _byteLength;

    internal OutputTensor(string name, TensorElementType elementType, long[] shape, long elementCount, byte[] buffer, int byteLength)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        ElementCount = elementCount;
        _buffer = buffer;
        _byteLength = byteLength;
    }

    public string Name { get; }

    public TensorElementType ElementType { get; }

    /// <summary>The actual shape of this result, batch dimension included.</summary>
    public IReadOnlyList<long> Shape { get; }

    public long ElementCount { get; }

    /// <summary>The raw little-endian bytes of the tensor.</summary>
    public ReadOnlySpan<byte> RawData => Buffer.AsSpan(0, _byteLength);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(OutputTensor), "The InferenceResult that owned this output was disposed.");

    /// <summary>The data as <typeparamref name="T"/>; throws when <typeparamref name="T"/> does not match <see cref="ElementType"/>.</summary>
    public ReadOnlySpan<T> GetData<T>()
        where T : unmanaged
    {
        var requested = TensorElementTypes.Of<T>();
        if (requested != ElementType)
        {
            throw new InvalidOperationException(
                $"Output '{Name}' holds {ElementType} elements; it cannot be read as {typeof(T).Name}.");
        }

        return MemoryMarshal.Cast<byte, T>(RawData);
    }

    /// <summary>Copies the data into <paramref name="destination"/>, which must hold at least <see cref="ElementCount"/> elements.</summary>
    public void CopyTo<T>(Span<T> destination)
        where T : unmanaged
    {
        var data = GetData<T>();
        if (destination.Length < data.Length)
        {
            throw new ArgumentException(
                $"Output '{Name}' has {data.Length} elements; the destination holds {destination.Length}.", nameof(destination));
        }

        data.CopyTo(destination);
    }

    /// <summary>A new array with a copy of the data.</summary>
    public T[] ToArray<T>()
        where T : unmanaged => GetData<T>().ToArray();

    internal void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override string ToString() => $"{Name}: {ElementType}[{string.Join(",", Shape)}]";
}
