namespace MlAspire.OnnxRuntime.Native;

/// <summary>Owns one <c>OrtCUDAProviderOptionsV2*</c>; released with <c>OrtApi.ReleaseCUDAProviderOptions</c>.</summary>
internal sealed unsafe class OrtCudaProviderOptionsHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api->ReleaseCUDAProviderOptions(handle);
        return true;
    }
}
