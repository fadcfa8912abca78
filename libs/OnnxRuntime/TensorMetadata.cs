namespace MlAspire.OnnxRuntime;

/// <summary>Name, element type and shape of a model input or output. Dynamic dimensions are -1.</summary>
public sealed class TensorMetadata
{
    internal TensorMetadata(string name, bool isTensor, TensorElementType elementType, long[] dimensions, string[] symbolicDimensions)
    {
        Name = name;
        IsTensor = isTensor;
        ElementType = elementType;
        Dimensions = dimensions;
        SymbolicDimensions = symbolicDimensions;
    }

    public string Name { get; }

    /// <summary>False for sequence/map/optional values, which this binding does not feed or read.</summary>
    public bool IsTensor { get; }

    public TensorElementType ElementType { get; }

    /// <summary>Dimensions; -1 where the model leaves a dimension dynamic (symbolic or unknown).</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>Symbolic names per dimension ("batch", ...); empty string where the dimension has none.</summary>
    public IReadOnlyList<string> SymbolicDimensions { get; }

    public override string ToString() => $"{Name}: {ElementType}[{string.Join(",", Dimensions)}]";
}
