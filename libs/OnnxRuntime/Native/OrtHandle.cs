using System.Runtime.InteropServices;

namespace MlAspire.OnnxRuntime.Native;

/// <summary>
/// Base of the per-type handles: a native pointer that is invalid when zero. A handle can keep other handles
/// alive (a session keeps its environment and memory info), so native objects are released child first.
/// </summary>
internal abstract class OrtHandle : SafeHandle
{
    private SafeHandle[]? _parents;

    protected OrtHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of a pointer an OrtApi function returned.</summary>
    public void Attach(nint value) => SetHandle(value);

    /// <summary>Keeps <paramref name="parents"/> open until this handle has released its native object.</summary>
    public void DependOn(params SafeHandle[] parents)
    {
        var taken = new List<SafeHandle>(parents.Length);
        try
        {
            foreach (var parent in parents)
            {
                var added = false;
                parent.DangerousAddRef(ref added);
                if (added)
                {
                    taken.Add(parent);
                }
            }
        }
        catch
        {
            foreach (var parent in taken)
            {
                parent.DangerousRelease();
            }

            throw;
        }

        _parents = [.. taken];
    }

    protected sealed override bool ReleaseHandle()
    {
        ReleaseNative(handle);
        if (_parents is { } parents)
        {
            foreach (var parent in parents)
            {
                parent.DangerousRelease();
            }
        }

        return true;
    }

    /// <summary>Calls the matching <c>OrtApi.Release*</c> function.</summary>
    protected abstract void ReleaseNative(nint value);
}
