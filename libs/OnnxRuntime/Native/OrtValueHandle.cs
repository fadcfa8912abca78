namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtValue*</c>; released with <c>OrtApi.ReleaseValue</c>.</summary>
internal sealed unsafe class OrtValueHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseValue(value);
}
