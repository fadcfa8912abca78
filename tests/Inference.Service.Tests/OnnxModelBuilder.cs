using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlAspire.Inference.Service.Tests.Onnx;

namespace MlAspire.Inference.Service.Tests;

/// <summary>Builds small ONNX models in memory (ir_version 7, default opset 13).</summary>
internal sealed class OnnxModelBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private int _nodeCount;

    /// <summary>Adds a graph input; a null dimension is dynamic (named by <paramref name="dynamicName"/>).</summary>
    public OnnxModelBuilder Input(string name, TensorElementType type, long?[] shape, string dynamicName = "batch")
    {
        _graph.Input.Add(ValueInfo(name, type, shape, dynamicName));
        return this;
    }

    public OnnxModelBuilder Output(string name, TensorElementType type, long?[] shape, string dynamicName = "batch")
    {
        _graph.Output.Add(ValueInfo(name, type, shape, dynamicName));
        return this;
    }

    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public OnnxModelBuilder FloatInitializer(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorElementType.Float };
        tensor.Dims.Add(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>The graph built so far, for use as a subgraph attribute (Loop/If bodies).</summary>
    public GraphProto Graph => _graph;

    public static AttributeProto GraphAttribute(string name, GraphProto graph)
        => new() { Name = name, G = graph, Type = AttributeProto.Types.AttributeType.Graph };

    public static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    public byte[] Build(long opset = 13)
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = "MlAspire.Inference.Service.Tests", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, TensorElementType type, long?[] shape, string dynamicName)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (var dimension in shape)
        {
            tensor.Shape.Dim.Add(dimension is { } value
                ? new TensorShapeProto.Types.Dimension { DimValue = value }
                : new TensorShapeProto.Types.Dimension { DimParam = dynamicName });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
