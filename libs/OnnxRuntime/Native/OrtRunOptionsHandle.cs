namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtRunOptions*</c>; released with <c>OrtApi.ReleaseRunOptions</c>.</summary>
internal sealed unsafe class OrtRunOptionsHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseRunOptions(value);
}
