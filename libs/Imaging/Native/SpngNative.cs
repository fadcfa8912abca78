using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>The libspng 0.7 decoding API (spng.h).</summary>
internal static unsafe partial class SpngNative
{
    // enum spng_format
    public const int FormatRgba8 = 1;  // SPNG_FMT_RGBA8
    public const int FormatRgba16 = 2; // SPNG_FMT_RGBA16 (host-endian)
    public const int FormatRgb8 = 4;   // SPNG_FMT_RGB8

    // enum spng_decode_flags
    public const int DecodeTrns = 1; // SPNG_DECODE_TRNS

    // enum spng_errno (subset)
    public const int IoEof = -1;         // SPNG_IO_EOF
    public const int Ok = 0;             // SPNG_OK
    public const int EUserWidth = 7;     // SPNG_EUSER_WIDTH
    public const int EUserHeight = 8;    // SPNG_EUSER_HEIGHT
    public const int EIdatTooShort = 62; // SPNG_EIDAT_TOO_SHORT
    public const int EEof = 68;         // SPNG_EOF
    public const int EChunkLimits = 77; // SPNG_ECHUNK_LIMITS

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_ctx_new")]
    public static partial nint CtxNew(int flags);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_ctx_free")]
    public static partial void CtxFree(nint ctx);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_set_png_buffer")]
    public static partial int SetPngBuffer(SpngContextHandle ctx, byte* buf, nuint size);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_set_image_limits")]
    public static partial int SetImageLimits(SpngContextHandle ctx, uint width, uint height);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_set_chunk_limits")]
    public static partial int SetChunkLimits(SpngContextHandle ctx, nuint chunkSize, nuint cacheSize);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_get_ihdr")]
    public static partial int GetIhdr(SpngContextHandle ctx, out SpngIhdr ihdr);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_decoded_image_size")]
    public static partial int DecodedImageSize(SpngContextHandle ctx, int format, out nuint length);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_decode_image")]
    public static partial int DecodeImage(SpngContextHandle ctx, byte* output, nuint length, int format, int flags);

    [LibraryImport(NativeLibraries.Spng, EntryPoint = "spng_strerror")]
    public static partial byte* StrError(int error);
}
