namespace MlAspire.OnnxRuntime.Native;

/// <summary>Mirror of <c>OrtApiBase</c>: the only entry point the library exports (<c>OrtGetApiBase</c>).</summary>
internal unsafe struct OrtApiBase
{
    public delegate* unmanaged[Cdecl]<uint, OrtApi*> GetApi;
    public delegate* unmanaged[Cdecl]<byte*> GetVersionString;
}
