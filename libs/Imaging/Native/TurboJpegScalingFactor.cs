using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>Mirrors <c>tjscalingfactor</c>: a decode-time scale num/denom.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct TurboJpegScalingFactor(int Num, int Denom)
{
    /// <summary>TJSCALED: the scaled dimension, rounded up.</summary>
    public int Scale(int dimension) => (int)((((long)dimension * Num) + Denom - 1) / Denom);
}
