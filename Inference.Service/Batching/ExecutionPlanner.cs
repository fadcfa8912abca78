using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// Shares the cores out between a model's concurrent executions. On the CPU a run of one image rarely keeps several
/// cores busy as well as several runs side by side do, and a single-threaded run spends the least CPU per image, so
/// the automatic plan is one execution per core, one intra-op thread each (no ONNX Runtime pool threads to spin or
/// to compete with Kestrel). A model on a GPU gets one execution (the device does the work). Either number set in
/// <c>config.json</c> (<c>instance_count</c>, <c>onnxruntime.intra_op_threads</c>) or service-wide
/// (<c>Inference:IntraOpThreads</c>) wins, and the other one is derived from it so that instances × threads fits the
/// cores.
/// </summary>
internal static class ExecutionPlanner
{
    /// <summary>The intra-op threads to create the session with (before its execution provider is known).</summary>
    public static int IntraOpThreads(ModelDefinition model, int cores, int serviceIntraOpThreads)
    {
        if (model.OnnxRuntime.IntraOpThreads is { } configured)
        {
            return configured;
        }

        if (serviceIntraOpThreads > 0)
        {
            return serviceIntraOpThreads;
        }

        return model.InstanceCount is { } instances ? Math.Max(1, cores / instances) : 1;
    }

    /// <summary>The whole plan, once the session exists and its execution provider is known.</summary>
    public static ExecutionPlan Plan(
        ModelDefinition model, int cores, string executionProvider, int intraOpThreads, bool serviceIntraOpSpinning)
    {
        var spinning = model.OnnxRuntime.IntraOpSpinning ?? serviceIntraOpSpinning;
        if (model.InstanceCount is { } configured)
        {
            return new ExecutionPlan(configured, intraOpThreads, spinning, "instance_count from config.json");
        }

        if (executionProvider != OrtModelExecutor.CpuExecutionProvider)
        {
            return new ExecutionPlan(1, intraOpThreads, spinning, $"automatic: one execution on {executionProvider}");
        }

        // 0 threads is ONNX Runtime's choice, which is every core.
        var threads = intraOpThreads == 0 ? cores : intraOpThreads;
        var instances = Math.Clamp(cores / threads, 1, ModelConfigLoader.MaxInstanceCount);
        return new ExecutionPlan(instances, intraOpThreads, spinning, $"automatic: {cores} cores / {threads} intra-op threads per execution");
    }

    /// <summary>True when the plan asks for more threads than the host has cores (worth a warning, not an error: the config travels between hosts).</summary>
    public static bool Oversubscribes(ExecutionPlan plan, int cores) =>
        (long)plan.Instances * (plan.IntraOpThreads == 0 ? cores : plan.IntraOpThreads) > cores;
}
