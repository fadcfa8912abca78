using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>
/// The TurboJPEG 2.1 decompression API (libjpeg-turbo's turbojpeg.h). <c>unsigned long</c> is 64-bit on LP64
/// Linux/macOS, hence <see cref="nuint"/>; Windows (LLP64) is not a target of this binding.
/// </summary>
internal static unsafe partial class TurboJpegNative
{
    // Pixel formats (enum TJPF).
    public const int PixelFormatRgb = 0;   // TJPF_RGB
    public const int PixelFormatGray = 6;  // TJPF_GRAY
    public const int PixelFormatCmyk = 11; // TJPF_CMYK

    // Colour spaces (enum TJCS).
    public const int ColorspaceRgb = 0;   // TJCS_RGB
    public const int ColorspaceYCbCr = 1; // TJCS_YCbCr
    public const int ColorspaceGray = 2;  // TJCS_GRAY
    public const int ColorspaceCmyk = 3;  // TJCS_CMYK
    public const int ColorspaceYcck = 4;  // TJCS_YCCK

    // Flags (TJFLAG_*).
    public const int FlagStopOnWarning = 8192; // TJFLAG_STOPONWARNING: treat libjpeg warnings (corrupt data) as errors
    public const int FlagLimitScans = 32768;   // TJFLAG_LIMITSCANS: refuse progressive JPEGs with > 500 scans

    // Error codes (enum TJERR).
    public const int ErrorWarning = 0; // TJERR_WARNING

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjInitDecompress")]
    public static partial nint InitDecompress();

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDestroy")]
    public static partial int Destroy(nint handle);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompressHeader3")]
    public static partial int DecompressHeader3(
        TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompress2")]
    public static partial int Decompress2(
        TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetScalingFactors")]
    public static partial TurboJpegScalingFactor* GetScalingFactors(out int numScalingFactors);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
    public static partial byte* GetErrorStr2(TurboJpegHandle handle);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetErrorCode")]
    public static partial int GetErrorCode(TurboJpegHandle handle);
}
