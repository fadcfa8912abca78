namespace MlAspire.Inference.Service.Model;

/// <summary>Conversions between the config's Triton names, KServe's wire names and element sizes.</summary>
internal static class TensorDataTypes
{
    public static int SizeOf(TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.FP16 => 2,
        TensorDataType.Int32 or TensorDataType.FP32 => 4,
        TensorDataType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>KServe v2 datatype string: BOOL, UINT8, INT8, INT32, INT64, FP16, FP32.</summary>
    public static string ToWireName(TensorDataType type) => type switch
    {
        TensorDataType.Bool => "BOOL",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.Int8 => "INT8",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.FP16 => "FP16",
        TensorDataType.FP32 => "FP32",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParseWireName(string? name, out TensorDataType type)
    {
        switch (name)
        {
            case "BOOL": type = TensorDataType.Bool; return true;
            case "UINT8": type = TensorDataType.UInt8; return true;
            case "INT8": type = TensorDataType.Int8; return true;
            case "INT32": type = TensorDataType.Int32; return true;
            case "INT64": type = TensorDataType.Int64; return true;
            case "FP16": type = TensorDataType.FP16; return true;
            case "FP32": type = TensorDataType.FP32; return true;
            default: type = default; return false;
        }
    }

    /// <summary>The config's Triton name (TYPE_FP32, ...).</summary>
    public static bool TryParseConfigName(string? name, out TensorDataType type)
    {
        type = default;
        return name is not null && name.StartsWith("TYPE_", StringComparison.Ordinal) &&
               TryParseWireName(name["TYPE_".Length..], out type);
    }
}
