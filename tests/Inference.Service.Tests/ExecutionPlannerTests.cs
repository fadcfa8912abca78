using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Tests;

public sealed class ExecutionPlannerTests
{
    private const string Cpu = OrtModelExecutor.CpuExecutionProvider;
    private static readonly TimeSpan Cheap = TimeSpan.FromMicroseconds(40);
    private static readonly TimeSpan Heavy = TimeSpan.FromMilliseconds(40);

    private static ModelDefinition Model(int? instances = null, int? threads = null, bool? spinning = null) =>
        new("m", "1", ModelConfigLoader.DefaultPlatform, "unused", 8,
            [new TensorSpec("x", TensorDataType.FP32, [4], null)],
            [new TensorSpec("y", TensorDataType.FP32, [4], null)],
            new BatchingSpec(true, TimeSpan.Zero, [], 16), instances, ExecutionProviderPreference.Cpu, null, null,
            new OrtSettingsSpec(threads, spinning));

    private static ExecutionPlan Plan(ModelDefinition model, int cores, TimeSpan cost, int serviceThreads = 0, string provider = Cpu)
    {
        var threads = ExecutionPlanner.IntraOpThreads(model, cores, serviceThreads);
        if (ExecutionPlanner.IsAutomatic(model, serviceThreads))
        {
            threads = ExecutionPlanner.IntraOpThreadsForCost(cores, cost);
        }

        return ExecutionPlanner.Plan(model, cores, provider, threads, serviceThreads, serviceIntraOpSpinning: false, cost);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(16, 16)]
    [InlineData(64, 32)]
    public void ACheapModelGetsOneSingleThreadedExecutionPerCore(int cores, int instances)
    {
        var plan = Plan(Model(), cores, Cheap);

        Assert.Equal(new ExecutionPlan(instances, 1, false, true, "automatic: a batch-1 run takes 0.04 ms, so one thread per run and one run per core"), plan);
        Assert.False(ExecutionPlanner.Oversubscribes(plan, cores));
    }

    [Fact]
    public void AHeavyModelLetsEachRunUseEveryCoreAndConcurrentRunsShareThem()
    {
        Assert.Equal(16, ExecutionPlanner.IntraOpThreads(Model(), 16, serviceIntraOpThreads: 0));

        var plan = Plan(Model(), 16, Heavy);

        Assert.Equal(new ExecutionPlan(16, 16, false, true, "automatic: a batch-1 run takes 40 ms, so each run may use every core and concurrent runs share them"), plan);
        Assert.False(ExecutionPlanner.Oversubscribes(plan, 16));
        Assert.Equal(1, ExecutionPlanner.IntraOpThreadsForCost(16, ExecutionPlanner.CheapRun - TimeSpan.FromTicks(1)));
        Assert.Equal(16, ExecutionPlanner.IntraOpThreadsForCost(16, ExecutionPlanner.CheapRun));
    }

    [Theory]
    [InlineData(16, 4, 4)]
    [InlineData(16, 3, 5)]
    [InlineData(2, 4, 1)]
    public void ConfiguredThreadsLeaveTheRestOfTheCoresToMoreExecutions(int cores, int threads, int instances)
    {
        var model = Model(threads: threads, spinning: true);
        Assert.False(ExecutionPlanner.IsAutomatic(model, 0));

        var plan = Plan(model, cores, Heavy);

        Assert.Equal((instances, threads, true, false), (plan.Instances, plan.IntraOpThreads, plan.IntraOpSpinning, plan.Automatic));
        Assert.Equal(threads > cores, ExecutionPlanner.Oversubscribes(plan, cores));
    }

    [Fact]
    public void TheServiceWideThreadsCountWhereTheModelSetsNone()
    {
        Assert.Equal(8, ExecutionPlanner.IntraOpThreads(Model(), 16, serviceIntraOpThreads: 8));
        Assert.Equal((2, 8), Plan(Model(), 16, Cheap, serviceThreads: 8) is var p ? (p.Instances, p.IntraOpThreads) : default);
        Assert.Equal(2, ExecutionPlanner.IntraOpThreads(Model(threads: 2), 16, serviceIntraOpThreads: 8));
    }

    [Fact]
    public void ONNXRuntimesOwnChoiceOfThreadsIsEveryCoreForOneExecution()
    {
        var plan = Plan(Model(threads: 0), 8, Heavy);

        Assert.Equal((1, 0), (plan.Instances, plan.IntraOpThreads));
        Assert.False(ExecutionPlanner.Oversubscribes(plan, 8));
    }

    [Theory]
    [InlineData(1, 16, 16)]
    [InlineData(4, 16, 4)]
    [InlineData(3, 16, 5)]
    [InlineData(4, 2, 1)]
    public void AConfiguredInstanceCountSharesTheCoresOut(int instances, int cores, int threads)
    {
        var plan = Plan(Model(instances: instances), cores, Heavy);

        Assert.Equal(new ExecutionPlan(instances, threads, false, false, "instance_count from config.json"), plan);
        Assert.Equal(instances > cores, ExecutionPlanner.Oversubscribes(plan, cores));
    }

    [Fact]
    public void BothSetIsTakenAsWrittenAndAnOversubscriptionIsReported()
    {
        var plan = Plan(Model(instances: 6, threads: 4), 8, Heavy);

        Assert.Equal((6, 4), (plan.Instances, plan.IntraOpThreads));
        Assert.True(ExecutionPlanner.Oversubscribes(plan, 8));
        Assert.False(ExecutionPlanner.Oversubscribes(Plan(Model(instances: 4, threads: 4), 8, Heavy), 8));
    }

    [Fact]
    public void AModelOnTheGpuGetsOneExecution()
    {
        var plan = Plan(Model(), 16, Heavy, provider: OrtModelExecutor.CudaExecutionProvider);

        Assert.Equal(1, plan.Instances);
        Assert.Equal("one execution on CUDAExecutionProvider", plan.Source);
    }
}
