namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtValue*</c>; released with <c>OrtApi.ReleaseValue</c>.</summary>
internal sealed unsafe class OrtValueHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api->ReleaseValue(handle);
        return true;
    }
}
