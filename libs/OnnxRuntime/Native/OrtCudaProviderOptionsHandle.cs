namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtCUDAProviderOptionsV2*</c>; released with <c>OrtApi.ReleaseCUDAProviderOptions</c>.</summary>
internal sealed unsafe class OrtCudaProviderOptionsHandle : OrtHandle
{
    protected override void ReleaseNative(nint value) => OrtLibrary.Api->ReleaseCUDAProviderOptions(value);
}
