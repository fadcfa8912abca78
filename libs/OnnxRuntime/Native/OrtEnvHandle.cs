namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtEnv*</c>; released with <c>OrtApi.ReleaseEnv</c>.</summary>
internal sealed unsafe class OrtEnvHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseEnv(value);
}
