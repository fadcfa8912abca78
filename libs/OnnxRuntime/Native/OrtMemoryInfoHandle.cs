namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtMemoryInfo*</c>; released with <c>OrtApi.ReleaseMemoryInfo</c>.</summary>
internal sealed unsafe class OrtMemoryInfoHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseMemoryInfo(value);
}
