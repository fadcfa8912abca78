namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtEnv*</c>; released with <c>OrtApi.ReleaseEnv</c>.</summary>
internal sealed unsafe class OrtEnvHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api->ReleaseEnv(handle);
        return true;
    }
}
