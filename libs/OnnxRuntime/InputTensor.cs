using System.Buffers;

namespace MlAspire.OnnxRuntime;

/// <summary>
/// A named model input over caller memory. Nothing is copied: the memory is pinned for the duration of a run and
/// handed to ONNX Runtime as is, so it must not change while a run that uses it is in progress.
/// </summary>
public abstract class InputTensor
{
    private protected InputTensor(string name, TensorElementType elementType, long[] shape)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
    }

    public string Name { get; }

    public TensorElementType ElementType { get; }

    /// <summary>The shape, batch dimension included.</summary>
    public IReadOnlyList<long> Shape { get; }

    internal long[] ShapeArray => (long[])Shape;

    /// <summary>Number of elements the data holds.</summary>
    public abstract int Length { get; }

    internal abstract long ByteLength { get; }

    internal abstract MemoryHandle Pin();

    /// <summary>
    /// Wraps <paramref name="data"/> as input <paramref name="name"/> with <paramref name="shape"/>.
    /// Supported element types: float, <see cref="Half"/>, byte, sbyte, int, long, bool.
    /// </summary>
    /// <exception cref="ArgumentException">Unsupported element type, negative dimension, or data length different from the shape's element count.</exception>
    public static InputTensor Create<T>(string name, ReadOnlyMemory<T> data, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var type = TensorElementTypes.Of<T>();
        if (type == TensorElementType.Undefined)
        {
            throw new ArgumentException(
                $"Element type {typeof(T).Name} is not supported for input '{name}'; use float, Half, byte, sbyte, int, long or bool.",
                nameof(data));
        }

        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Input '{name}' has a negative dimension in shape [{string.Join(",", shape.ToArray())}].", nameof(shape));
            }

            count = checked(count * dimension);
        }

        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Input '{name}' has {data.Length} elements but shape [{string.Join(",", shape.ToArray())}] needs {count}.",
                nameof(data));
        }

        return new InputTensor<T>(name, type, shape.ToArray(), data);
    }

    /// <summary>Wraps a batch: <paramref name="data"/> holds <paramref name="batchSize"/> items of <paramref name="itemShape"/>.</summary>
    public static InputTensor CreateBatch<T>(string name, ReadOnlyMemory<T> data, int batchSize, ReadOnlySpan<long> itemShape)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        Span<long> shape = stackalloc long[itemShape.Length + 1];
        shape[0] = batchSize;
        itemShape.CopyTo(shape[1..]);
        return Create(name, data, shape);
    }

    /// <summary>
    /// Wraps raw little-endian element bytes (as KServe's raw_input_contents carries them) as input <paramref name="name"/>
    /// of <paramref name="elementType"/>. Nothing is copied.
    /// </summary>
    /// <exception cref="ArgumentException">Unsupported element type, negative dimension, or a byte length that is not the shape's element count times the element size.</exception>
    public static InputTensor CreateFromBytes(string name, TensorElementType elementType, ReadOnlyMemory<byte> data, ReadOnlySpan<long> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (elementType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.UInt8 or
            TensorElementType.Int8 or TensorElementType.Int32 or TensorElementType.Int64 or TensorElementType.Bool))
        {
            throw new ArgumentException($"Element type {elementType} is not supported for input '{name}'.", nameof(elementType));
        }

        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Input '{name}' has a negative dimension in shape [{string.Join(",", shape.ToArray())}].", nameof(shape));
            }

            count = checked(count * dimension);
        }

        var expected = checked(count * TensorElementTypes.SizeOf(elementType));
        if (expected != data.Length)
        {
            throw new ArgumentException(
                $"Input '{name}' has {data.Length} bytes but shape [{string.Join(",", shape.ToArray())}] of {elementType} needs {expected}.",
                nameof(data));
        }

        return new RawInputTensor(name, elementType, shape.ToArray(), data, (int)count);
    }
}
