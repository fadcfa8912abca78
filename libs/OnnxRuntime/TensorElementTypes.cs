namespace MlAspire.OnnxRuntime;

/// <summary>Maps the .NET element types the binding moves without copies to <see cref="TensorElementType"/>.</summary>
public static class TensorElementTypes
{
    /// <summary>The element type for <typeparamref name="T"/>, or <see cref="TensorElementType.Undefined"/> when unsupported.</summary>
    public static TensorElementType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return TensorElementType.Float;
        }

        if (typeof(T) == typeof(Half))
        {
            return TensorElementType.Float16;
        }

        if (typeof(T) == typeof(byte))
        {
            return TensorElementType.UInt8;
        }

        if (typeof(T) == typeof(sbyte))
        {
            return TensorElementType.Int8;
        }

        if (typeof(T) == typeof(int))
        {
            return TensorElementType.Int32;
        }

        if (typeof(T) == typeof(long))
        {
            return TensorElementType.Int64;
        }

        return typeof(T) == typeof(bool) ? TensorElementType.Bool : TensorElementType.Undefined;
    }

    /// <summary>Bytes per element, or 0 for types without a fixed size (string) or unknown ones.</summary>
    public static int SizeOf(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double or TensorElementType.Complex64 => 8,
        TensorElementType.Complex128 => 16,
        _ => 0,
    };
}
