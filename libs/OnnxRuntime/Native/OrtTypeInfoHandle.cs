namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtTypeInfo*</c>; released with <c>OrtApi.ReleaseTypeInfo</c>.</summary>
internal sealed unsafe class OrtTypeInfoHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseTypeInfo(value);
}
