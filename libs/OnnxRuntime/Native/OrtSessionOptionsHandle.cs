namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtSessionOptions*</c>; released with <c>OrtApi.ReleaseSessionOptions</c>.</summary>
internal sealed unsafe class OrtSessionOptionsHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseSessionOptions(value);
}
