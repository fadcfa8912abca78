namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtTypeInfo*</c>; released with <c>OrtApi.ReleaseTypeInfo</c>.</summary>
internal sealed unsafe class OrtTypeInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api->ReleaseTypeInfo(handle);
        return true;
    }
}
