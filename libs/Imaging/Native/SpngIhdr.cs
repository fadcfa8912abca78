using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>Mirrors <c>struct spng_ihdr</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SpngIhdr
{
    public uint Width;
    public uint Height;
    public byte BitDepth;
    public byte ColorType;
    public byte CompressionMethod;
    public byte FilterMethod;
    public byte InterlaceMethod;
}
