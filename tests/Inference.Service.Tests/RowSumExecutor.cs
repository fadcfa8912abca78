using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Tests;

/// <summary>
/// A stand-in model for batcher tests (the batcher is under test, not the model): output "sum" [rows, 1] holds the
/// sum of each input row, so a mis-split batch shows up as a wrong answer. Runs can be held at a gate.
/// </summary>
internal sealed class RowSumExecutor : IModelExecutor
{
    private int _running;

    public ConcurrentQueue<int> BatchRows { get; } = new();

    public TaskCompletionSource Gate { get; set; } = CompletedGate();

    public Exception? Failure { get; set; }

    /// <summary>Runs started and not yet finished (held at the gate or computing).</summary>
    public int Running => Volatile.Read(ref _running);

    public string ExecutionProvider => "TestExecutionProvider";

    public static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    public async Task<IReadOnlyList<Tensor>> RunAsync(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            await Gate.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        var input = inputs[0];
        var rows = (int)input.Shape[0];
        BatchRows.Enqueue(rows);
        var values = MemoryMarshal.Cast<byte, float>(input.Data.Span);
        var perRow = values.Length / rows;
        var sums = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < perRow; c++)
            {
                sums[r] += values[(r * perRow) + c];
            }
        }

        return [new Tensor("sum", TensorDataType.FP32, [rows, 1], MemoryMarshal.AsBytes(sums.AsSpan()).ToArray())];
    }

    public void Dispose()
    {
    }
}
