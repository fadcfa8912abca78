using System.Collections.Concurrent;
using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Tests;

/// <summary>A real executor behind a gate: runs wait at it, then go to <see cref="Inner"/>; the rows of each run are recorded.</summary>
internal sealed class GatedExecutor(IModelExecutor inner) : IModelExecutor
{
    private int _waiting;

    public IModelExecutor Inner { get; } = inner;

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<long> BatchRows { get; } = new();

    /// <summary>Runs held at the gate.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public string ExecutionProvider => Inner.ExecutionProvider;

    public async Task<IReadOnlyList<Tensor>> RunAsync(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await Gate.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        BatchRows.Enqueue(inputs[0].Shape[0]);
        return await Inner.RunAsync(inputs, cancellationToken);
    }

    public void Dispose() => Inner.Dispose();
}
