using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>Owns one TurboJPEG decompressor instance (<c>tjhandle</c>).</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Creates a decompressor; throws when the library is missing or allocation fails.</summary>
    public static TurboJpegHandle CreateDecompressor()
    {
        NativeLibraries.EnsureTurboJpeg();
        var result = new TurboJpegHandle();
        var raw = TurboJpegNative.InitDecompress();
        if (raw == 0)
        {
            result.Dispose();
            throw new InvalidOperationException("tjInitDecompress failed (out of memory).");
        }

        result.SetHandle(raw);
        return result;
    }

    protected override bool ReleaseHandle() => TurboJpegNative.Destroy(handle) == 0;
}
