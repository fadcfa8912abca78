namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtTensorTypeAndShapeInfo*</c>; released with <c>OrtApi.ReleaseTensorTypeAndShapeInfo</c>.</summary>
internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseTensorTypeAndShapeInfo(value);
}
