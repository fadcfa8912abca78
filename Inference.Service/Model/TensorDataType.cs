namespace MlAspire.Inference.Service.Model;

/// <summary>The element types MlAspire serves; names as KServe v2 spells them on the wire.</summary>
internal enum TensorDataType
{
    Bool,
    UInt8,
    Int8,
    Int32,
    Int64,
    FP16,
    FP32,
}
