using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MlAspire.OnnxRuntime;

/// <summary>
/// The names of a session's inputs or outputs as a <c>const char* const*</c> table on the pinned object heap:
/// no native allocation to free, valid while the owner is reachable.
/// </summary>
internal sealed unsafe class PinnedNames
{
    private readonly byte[][] _names;
    private readonly nint[] _pointers;

    public PinnedNames(IReadOnlyList<TensorMetadata> items)
    {
        _names = new byte[items.Count][];
        _pointers = GC.AllocateArray<nint>(Math.Max(1, items.Count), pinned: true);
        for (var i = 0; i < items.Count; i++)
        {
            var name = items[i].Name;
            var bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(name) + 1, pinned: true);
            Encoding.UTF8.GetBytes(name, bytes);
            _names[i] = bytes;
            _pointers[i] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bytes));
        }
    }

    /// <summary>Pointer to the name of item <paramref name="index"/>.</summary>
    public byte* this[int index] => (byte*)_pointers[index];

    /// <summary>The whole table, in model order.</summary>
    public byte** Table => (byte**)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_pointers));
}
