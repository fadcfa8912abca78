namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtSession*</c>; released with <c>OrtApi.ReleaseSession</c>.</summary>
internal sealed unsafe class OrtSessionHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseSession(value);
}
