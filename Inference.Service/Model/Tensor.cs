namespace MlAspire.Inference.Service.Model;

/// <summary>
/// A tensor as the service moves it: element type, full shape (batch dimension first when the model batches) and its
/// elements as flattened, row-major, little-endian bytes — the same layout as KServe's raw contents.
/// </summary>
internal sealed record Tensor(string Name, TensorDataType DataType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count = checked(count * d);
        }

        return count;
    }
}
