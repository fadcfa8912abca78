// Field order mirrors `struct OrtApi` in onnxruntime_c_api.h exactly, from the first entry (CreateStatus) up to
// ReleaseCUDAProviderOptions, the last function this binding calls. The table only ever grows, so a library that
// serves API version OrtLibrary.RequiredApiVersion (11, ONNX Runtime 1.11) or newer has every entry below at these
// offsets. Entries the binding calls carry their C signature as an unmanaged function pointer (OrtStatus* and opaque
// object pointers as nint, enums as int, size_t as nuint, int64_t as long); the rest are nint placeholders that only
// keep the offsets right. Do not reorder, insert or remove fields.
namespace MlAspire.OnnxRuntime.Native;

#pragma warning disable CA1707 // Field names are the C API's names, underscores included, so the mirror is checkable.
#pragma warning disable IDE1006 // Same reason: names follow the header, not .NET field naming.
internal unsafe struct OrtApi
{
    public nint CreateStatus; // 0
    public delegate* unmanaged[Cdecl]<nint, int> GetErrorCode; // 1
    public delegate* unmanaged[Cdecl]<nint, byte*> GetErrorMessage; // 2
    public nint CreateEnv; // 3
    public delegate* unmanaged[Cdecl]<nint, nint, int, byte*, nint*, nint> CreateEnvWithCustomLogger; // 4
    public nint EnableTelemetryEvents; // 5
    public delegate* unmanaged[Cdecl]<nint, nint> DisableTelemetryEvents; // 6
    public delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint> CreateSession; // 7
    public delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray; // 8
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run; // 9
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateSessionOptions; // 10
    public nint SetOptimizedModelFilePath; // 11
    public nint CloneSessionOptions; // 12
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionExecutionMode; // 13
    public nint EnableProfiling; // 14
    public nint DisableProfiling; // 15
    public delegate* unmanaged[Cdecl]<nint, nint> EnableMemPattern; // 16
    public delegate* unmanaged[Cdecl]<nint, nint> DisableMemPattern; // 17
    public delegate* unmanaged[Cdecl]<nint, nint> EnableCpuMemArena; // 18
    public delegate* unmanaged[Cdecl]<nint, nint> DisableCpuMemArena; // 19
    public delegate* unmanaged[Cdecl]<nint, byte*, nint> SetSessionLogId; // 20
    public nint SetSessionLogVerbosityLevel; // 21
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionLogSeverityLevel; // 22
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionGraphOptimizationLevel; // 23
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetIntraOpNumThreads; // 24
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetInterOpNumThreads; // 25
    public nint CreateCustomOpDomain; // 26
    public nint CustomOpDomain_Add; // 27
    public nint AddCustomOpDomain; // 28
    public nint RegisterCustomOpsLibrary; // 29
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetInputCount; // 30
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOutputCount; // 31
    public nint SessionGetOverridableInitializerCount; // 32
    public delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetInputTypeInfo; // 33
    public delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetOutputTypeInfo; // 34
    public nint SessionGetOverridableInitializerTypeInfo; // 35
    public delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetInputName; // 36
    public delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetOutputName; // 37
    public nint SessionGetOverridableInitializerName; // 38
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateRunOptions; // 39
    public nint RunOptionsSetRunLogVerbosityLevel; // 40
    public nint RunOptionsSetRunLogSeverityLevel; // 41
    public delegate* unmanaged[Cdecl]<nint, byte*, nint> RunOptionsSetRunTag; // 42
    public nint RunOptionsGetRunLogVerbosityLevel; // 43
    public nint RunOptionsGetRunLogSeverityLevel; // 44
    public nint RunOptionsGetRunTag; // 45
    public delegate* unmanaged[Cdecl]<nint, nint> RunOptionsSetTerminate; // 46
    public nint RunOptionsUnsetTerminate; // 47
    public nint CreateTensorAsOrtValue; // 48
    public delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue; // 49
    public nint IsTensor; // 50
    public delegate* unmanaged[Cdecl]<nint, void**, nint> GetTensorMutableData; // 51
    public nint FillStringTensor; // 52
    public nint GetStringTensorDataLength; // 53
    public nint GetStringTensorContent; // 54
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> CastTypeInfoToTensorInfo; // 55
    public delegate* unmanaged[Cdecl]<nint, int*, nint> GetOnnxTypeFromTypeInfo; // 56
    public nint CreateTensorTypeAndShapeInfo; // 57
    public nint SetTensorElementType; // 58
    public nint SetDimensions; // 59
    public delegate* unmanaged[Cdecl]<nint, int*, nint> GetTensorElementType; // 60
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetDimensionsCount; // 61
    public delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> GetDimensions; // 62
    public delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint> GetSymbolicDimensions; // 63
    public nint GetTensorShapeElementCount; // 64
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> GetTensorTypeAndShape; // 65
    public nint GetTypeInfo; // 66
    public nint GetValueType; // 67
    public nint CreateMemoryInfo; // 68
    public delegate* unmanaged[Cdecl]<int, int, nint*, nint> CreateCpuMemoryInfo; // 69
    public nint CompareMemoryInfo; // 70
    public nint MemoryInfoGetName; // 71
    public nint MemoryInfoGetId; // 72
    public nint MemoryInfoGetMemType; // 73
    public nint MemoryInfoGetType; // 74
    public nint AllocatorAlloc; // 75
    public delegate* unmanaged[Cdecl]<nint, void*, nint> AllocatorFree; // 76
    public nint AllocatorGetInfo; // 77
    public delegate* unmanaged[Cdecl]<nint*, nint> GetAllocatorWithDefaultOptions; // 78
    public nint AddFreeDimensionOverride; // 79
    public nint GetValue; // 80
    public nint GetValueCount; // 81
    public nint CreateValue; // 82
    public nint CreateOpaqueValue; // 83
    public nint GetOpaqueValue; // 84
    public nint KernelInfoGetAttribute_float; // 85
    public nint KernelInfoGetAttribute_int64; // 86
    public nint KernelInfoGetAttribute_string; // 87
    public nint KernelContext_GetInputCount; // 88
    public nint KernelContext_GetOutputCount; // 89
    public nint KernelContext_GetInput; // 90
    public nint KernelContext_GetOutput; // 91
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseEnv; // 92
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseStatus; // 93
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseMemoryInfo; // 94
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSession; // 95
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseValue; // 96
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseRunOptions; // 97
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTypeInfo; // 98
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorTypeAndShapeInfo; // 99
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSessionOptions; // 100
    public nint ReleaseCustomOpDomain; // 101
    public nint GetDenotationFromTypeInfo; // 102
    public nint CastTypeInfoToMapTypeInfo; // 103
    public nint CastTypeInfoToSequenceTypeInfo; // 104
    public nint GetMapKeyType; // 105
    public nint GetMapValueType; // 106
    public nint GetSequenceElementType; // 107
    public nint ReleaseMapTypeInfo; // 108
    public nint ReleaseSequenceTypeInfo; // 109
    public nint SessionEndProfiling; // 110
    public nint SessionGetModelMetadata; // 111
    public nint ModelMetadataGetProducerName; // 112
    public nint ModelMetadataGetGraphName; // 113
    public nint ModelMetadataGetDomain; // 114
    public nint ModelMetadataGetDescription; // 115
    public nint ModelMetadataLookupCustomMetadataMap; // 116
    public nint ModelMetadataGetVersion; // 117
    public nint ReleaseModelMetadata; // 118
    public nint CreateEnvWithGlobalThreadPools; // 119
    public nint DisablePerSessionThreads; // 120
    public nint CreateThreadingOptions; // 121
    public nint ReleaseThreadingOptions; // 122
    public nint ModelMetadataGetCustomMetadataMapKeys; // 123
    public nint AddFreeDimensionOverrideByName; // 124
    public delegate* unmanaged[Cdecl]<byte***, int*, nint> GetAvailableProviders; // 125
    public delegate* unmanaged[Cdecl]<byte**, int, nint> ReleaseAvailableProviders; // 126
    public nint GetStringTensorElementLength; // 127
    public nint GetStringTensorElement; // 128
    public nint FillStringTensorElement; // 129
    public delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> AddSessionConfigEntry; // 130
    public nint CreateAllocator; // 131
    public nint ReleaseAllocator; // 132
    public nint RunWithBinding; // 133
    public nint CreateIoBinding; // 134
    public nint ReleaseIoBinding; // 135
    public nint BindInput; // 136
    public nint BindOutput; // 137
    public nint BindOutputToDevice; // 138
    public nint GetBoundOutputNames; // 139
    public nint GetBoundOutputValues; // 140
    public nint ClearBoundInputs; // 141
    public nint ClearBoundOutputs; // 142
    public nint TensorAt; // 143
    public nint CreateAndRegisterAllocator; // 144
    public nint SetLanguageProjection; // 145
    public nint SessionGetProfilingStartTimeNs; // 146
    public nint SetGlobalIntraOpNumThreads; // 147
    public nint SetGlobalInterOpNumThreads; // 148
    public nint SetGlobalSpinControl; // 149
    public nint AddInitializer; // 150
    public nint CreateEnvWithCustomLoggerAndGlobalThreadPools; // 151
    public nint SessionOptionsAppendExecutionProvider_CUDA; // 152
    public nint SessionOptionsAppendExecutionProvider_ROCM; // 153
    public nint SessionOptionsAppendExecutionProvider_OpenVINO; // 154
    public nint SetGlobalDenormalAsZero; // 155
    public nint CreateArenaCfg; // 156
    public nint ReleaseArenaCfg; // 157
    public nint ModelMetadataGetGraphDescription; // 158
    public nint SessionOptionsAppendExecutionProvider_TensorRT; // 159
    public nint SetCurrentGpuDeviceId; // 160
    public nint GetCurrentGpuDeviceId; // 161
    public nint KernelInfoGetAttributeArray_float; // 162
    public nint KernelInfoGetAttributeArray_int64; // 163
    public nint CreateArenaCfgV2; // 164
    public nint AddRunConfigEntry; // 165
    public nint CreatePrepackedWeightsContainer; // 166
    public nint ReleasePrepackedWeightsContainer; // 167
    public nint CreateSessionWithPrepackedWeightsContainer; // 168
    public nint CreateSessionFromArrayWithPrepackedWeightsContainer; // 169
    public nint SessionOptionsAppendExecutionProvider_TensorRT_V2; // 170
    public nint CreateTensorRTProviderOptions; // 171
    public nint UpdateTensorRTProviderOptions; // 172
    public nint GetTensorRTProviderOptionsAsString; // 173
    public nint ReleaseTensorRTProviderOptions; // 174
    public nint EnableOrtCustomOps; // 175
    public nint RegisterAllocator; // 176
    public nint UnregisterAllocator; // 177
    public nint IsSparseTensor; // 178
    public nint CreateSparseTensorAsOrtValue; // 179
    public nint FillSparseTensorCoo; // 180
    public nint FillSparseTensorCsr; // 181
    public nint FillSparseTensorBlockSparse; // 182
    public nint CreateSparseTensorWithValuesAsOrtValue; // 183
    public nint UseCooIndices; // 184
    public nint UseCsrIndices; // 185
    public nint UseBlockSparseIndices; // 186
    public nint GetSparseTensorFormat; // 187
    public nint GetSparseTensorValuesTypeAndShape; // 188
    public nint GetSparseTensorValues; // 189
    public nint GetSparseTensorIndicesTypeShape; // 190
    public nint GetSparseTensorIndices; // 191
    public nint HasValue; // 192
    public nint KernelContext_GetGPUComputeStream; // 193
    public nint GetTensorMemoryInfo; // 194
    public nint GetExecutionProviderApi; // 195
    public nint SessionOptionsSetCustomCreateThreadFn; // 196
    public nint SessionOptionsSetCustomThreadCreationOptions; // 197
    public nint SessionOptionsSetCustomJoinThreadFn; // 198
    public nint SetGlobalCustomCreateThreadFn; // 199
    public nint SetGlobalCustomThreadCreationOptions; // 200
    public nint SetGlobalCustomJoinThreadFn; // 201
    public nint SynchronizeBoundInputs; // 202
    public nint SynchronizeBoundOutputs; // 203
    public delegate* unmanaged[Cdecl]<nint, nint, nint> SessionOptionsAppendExecutionProvider_CUDA_V2; // 204
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateCUDAProviderOptions; // 205
    public delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint> UpdateCUDAProviderOptions; // 206
    public nint GetCUDAProviderOptionsAsString; // 207
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseCUDAProviderOptions; // 208
}
