using System.Globalization;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// Shares the cores out between a model's concurrent executions. A session has one pool of intra-op threads, which
/// its concurrent runs share (each run's own thread joins in), so the threads in play are the executions plus the
/// pool's workers. The automatic plan (neither <c>instance_count</c> nor an intra-op thread count configured) on the
/// CPU is one execution per core, and the intra-op threads follow the model's cost, measured by a warmup run at
/// batch 1: a model whose run is cheap (under <see cref="CheapRun"/>) gets one thread per run, since splitting its
/// small operators costs more than it gains; a heavy one gets every core, so that a lone request has them all and
/// concurrent runs split them. A model on a GPU gets one execution (the device does the work). A number set in
/// <c>config.json</c> or service-wide wins, and the other one is derived from it.
/// </summary>
internal static class ExecutionPlanner
{
    /// <summary>Below this, a batch-1 run is too short for intra-op threads to pay.</summary>
    public static readonly TimeSpan CheapRun = TimeSpan.FromMilliseconds(1);

    /// <summary>True when the configuration leaves both numbers to the plan.</summary>
    public static bool IsAutomatic(ModelDefinition model, int serviceIntraOpThreads) =>
        model.InstanceCount is null && model.OnnxRuntime.IntraOpThreads is null && serviceIntraOpThreads == 0;

    /// <summary>The intra-op threads to create the session with, before its cost is known (automatic: every core).</summary>
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

        return model.InstanceCount is { } instances ? Math.Max(1, cores / instances) : cores;
    }

    /// <summary>The automatic intra-op threads for a model whose batch-1 run took <paramref name="batchOneRun"/>.</summary>
    public static int IntraOpThreadsForCost(int cores, TimeSpan batchOneRun) => batchOneRun < CheapRun ? 1 : cores;

    /// <summary>The whole plan, once the session exists, its execution provider is known and a run was timed.</summary>
    public static ExecutionPlan Plan(
        ModelDefinition model, int cores, string executionProvider, int intraOpThreads, int serviceIntraOpThreads,
        bool serviceIntraOpSpinning, TimeSpan batchOneRun)
    {
        var spinning = model.OnnxRuntime.IntraOpSpinning ?? serviceIntraOpSpinning;
        if (model.InstanceCount is { } configured)
        {
            return new ExecutionPlan(configured, intraOpThreads, spinning, false, "instance_count from config.json");
        }

        if (executionProvider != OrtModelExecutor.CpuExecutionProvider)
        {
            return new ExecutionPlan(1, intraOpThreads, spinning, false, $"one execution on {executionProvider}");
        }

        // 0 threads is ONNX Runtime's choice, which is every core.
        var threads = intraOpThreads == 0 ? cores : intraOpThreads;
        var run = batchOneRun.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (!IsAutomatic(model, serviceIntraOpThreads))
        {
            return new ExecutionPlan(Math.Clamp(cores / threads, 1, ModelConfigLoader.MaxInstanceCount), intraOpThreads, spinning, false,
                $"{cores} cores / {threads} configured intra-op threads per execution");
        }

        var instances = Math.Clamp(cores, 1, ModelConfigLoader.MaxInstanceCount);
        var why = threads == cores && cores > 1
            ? "each run may use every core and concurrent runs share them"
            : "one thread per run and one run per core";
        return new ExecutionPlan(instances, threads, spinning, true, $"automatic: a batch-1 run takes {run} ms, so {why}");
    }

    /// <summary>
    /// True when a configured plan keeps more threads busy than the host has cores (the executions plus the shared
    /// pool's workers): worth a warning, not an error, since the config travels between hosts.
    /// </summary>
    public static bool Oversubscribes(ExecutionPlan plan, int cores) =>
        !plan.Automatic && (long)plan.Instances + (plan.IntraOpThreads == 0 ? cores : plan.IntraOpThreads) - 1 > cores;
}
