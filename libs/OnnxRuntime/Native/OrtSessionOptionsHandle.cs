namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtSessionOptions*</c>; released with <c>OrtApi.ReleaseSessionOptions</c>.</summary>
internal sealed unsafe class OrtSessionOptionsHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api->ReleaseSessionOptions(handle);
        return true;
    }
}
