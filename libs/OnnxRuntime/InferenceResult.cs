using System.Collections;

namespace MlAspire.OnnxRuntime;

/// <summary>The outputs of one run, in the order they were requested. Dispose to return the pooled buffers.</summary>
public sealed class InferenceResult : IReadOnlyList<OutputTensor>, IDisposable
{
    private readonly OutputTensor[] _outputs;

    internal InferenceResult(OutputTensor[] outputs)
    {
        _outputs = outputs;
    }

    public int Count => _outputs.Length;

    public OutputTensor this[int index] => _outputs[index];

    /// <summary>The output named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No output of that name was produced.</exception>
    public OutputTensor this[string name]
    {
        get
        {
            foreach (var output in _outputs)
            {
                if (output.Name == name)
                {
                    return output;
                }
            }

            throw new KeyNotFoundException(
                $"No output named '{name}'; outputs: {string.Join(", ", _outputs.Select(o => o.Name))}.");
        }
    }

    public IEnumerator<OutputTensor> GetEnumerator() => ((IEnumerable<OutputTensor>)_outputs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var output in _outputs)
        {
            output.Release();
        }
    }
}
