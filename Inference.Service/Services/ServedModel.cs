using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Services;

/// <summary>One model folder of the repository and where it stands: loading, ready (with its batcher) or failed (why).</summary>
internal sealed class ServedModel(string name)
{
    public string Name { get; } = name;

    public ModelStatus Status { get; private set; } = ModelStatus.Loading;

    public string? FailureReason { get; private set; }

    public ModelDefinition? Definition { get; private set; }

    public DynamicBatcher? Batcher { get; private set; }

    public IModelExecutor? Executor { get; private set; }

    public string? ExecutionProvider => Executor?.ExecutionProvider;

    public void MarkReady(ModelDefinition definition, IModelExecutor executor, DynamicBatcher batcher)
    {
        Definition = definition;
        Executor = executor;
        Batcher = batcher;
        Status = ModelStatus.Ready;
    }

    public void MarkFailed(ModelDefinition? definition, string reason)
    {
        Definition = definition;
        FailureReason = reason;
        Status = ModelStatus.Failed;
    }
}
