using System.Buffers;
using System.Runtime.CompilerServices;

namespace MlAspire.OnnxRuntime;

/// <summary>An <see cref="InputTensor"/> over <see cref="ReadOnlyMemory{T}"/>.</summary>
internal sealed class InputTensor<T> : InputTensor
    where T : unmanaged
{
    private readonly ReadOnlyMemory<T> _data;

    public InputTensor(string name, TensorElementType elementType, long[] shape, ReadOnlyMemory<T> data)
        : base(name, elementType, shape)
    {
        _data = data;
    }

    public override int Length => _data.Length;

    internal override long ByteLength => (long)_data.Length * Unsafe.SizeOf<T>();

    internal override MemoryHandle Pin() => _data.Pin();
}
