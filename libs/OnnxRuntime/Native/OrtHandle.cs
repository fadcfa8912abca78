using System.Runtime.InteropServices;

namespace MlAspire.OnnxRuntime.Native;

/// <summary>Base of the per-type handles: a native pointer that is invalid when zero.</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of a pointer an OrtApi function returned.</summary>
    public void Attach(nint value) => SetHandle(value);
}
