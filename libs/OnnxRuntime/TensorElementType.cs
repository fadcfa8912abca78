namespace MlAspire.OnnxRuntime;

// CA1720: these members name ONNX element types (TensorProto.DataType); matching the spec's names is the point.
#pragma warning disable CA1720

/// <summary>ONNX tensor element types (<c>ONNXTensorElementDataType</c>, same values as ONNX's TensorProto.DataType).</summary>
public enum TensorElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
}
