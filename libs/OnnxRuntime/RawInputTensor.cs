using System.Buffers;

namespace MlAspire.OnnxRuntime;

/// <summary>An <see cref="InputTensor"/> over raw element bytes whose type is given rather than inferred.</summary>
internal sealed class RawInputTensor : InputTensor
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly int _length;

    public RawInputTensor(string name, TensorElementType elementType, long[] shape, ReadOnlyMemory<byte> data, int length)
        : base(name, elementType, shape)
    {
        _data = data;
        _length = length;
    }

    public override int Length => _length;

    internal override long ByteLength => _data.Length;

    internal override MemoryHandle Pin() => _data.Pin();
}
