using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>Owns one libspng decoding context (<c>spng_ctx*</c>).</summary>
internal sealed class SpngContextHandle : SafeHandle
{
    public SpngContextHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Creates a decoder context; throws when the library is missing or allocation fails.</summary>
    public static SpngContextHandle CreateDecoder()
    {
        NativeLibraries.EnsureSpng();
        var result = new SpngContextHandle();
        var raw = SpngNative.CtxNew(0);
        if (raw == 0)
        {
            result.Dispose();
            throw new InvalidOperationException("spng_ctx_new failed (out of memory).");
        }

        result.SetHandle(raw);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        SpngNative.CtxFree(handle);
        return true;
    }
}
