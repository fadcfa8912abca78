using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Batching;

/// <summary>One caller's request waiting in a model's queue, and the promise of its outputs.</summary>
internal sealed class PendingRequest : TaskCompletionSource<IReadOnlyList<Tensor>>
{
    public PendingRequest(IReadOnlyList<Tensor> inputs, int rows, long enqueuedAt, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Inputs = inputs;
        Rows = rows;
        EnqueuedAt = enqueuedAt;
        CancellationToken = cancellationToken;
        ShapeKey = string.Join('|', inputs.Select(i => string.Join(',', i.Shape.Skip(1))));
    }

    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>Rows along the batch dimension (1 for a model that does not batch).</summary>
    public int Rows { get; }

    public long EnqueuedAt { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Requests batch together only when every input has the same shape past the batch dimension.</summary>
    public string ShapeKey { get; }

    public bool IsDone => Task.IsCompleted;
}
