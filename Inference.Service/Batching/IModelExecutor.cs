using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Batching;

/// <summary>Runs one (possibly batched) set of inputs through a loaded model and returns every model output.</summary>
internal interface IModelExecutor : IDisposable
{
    /// <summary>The execution provider actually in use, e.g. CUDAExecutionProvider or CPUExecutionProvider.</summary>
    string ExecutionProvider { get; }

    Task<IReadOnlyList<Tensor>> RunAsync(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken);
}
