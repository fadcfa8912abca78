using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Tests;

public sealed class ExecutionPlannerTests
{
    private const string Cpu = OrtModelExecutor.CpuExecutionProvider;

    private static ModelDefinition Model(int? instances = null, int? threads = null, bool? spinning = null) =>
        new("m", "1", ModelConfigLoader.DefaultPlatform, "unused", 8,
            [new TensorSpec("x", TensorDataType.FP32, [4], null)],
            [new TensorSpec("y", TensorDataType.FP32, [4], null)],
            new BatchingSpec(true, TimeSpan.Zero, [], 16), instances, ExecutionProviderPreference.Cpu, null, null,
            new OrtSettingsSpec(threads, spinning));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(16, 16)]
    [InlineData(64, 32)]
    public void NothingSetGivesOneSingleThreadedExecutionPerCore(int cores, int instances)
    {
        var model = Model();
        var threads = ExecutionPlanner.IntraOpThreads(model, cores, serviceIntraOpThreads: 0);
        var plan = ExecutionPlanner.Plan(model, cores, Cpu, threads, serviceIntraOpSpinning: false);

        Assert.Equal(1, threads);
        Assert.Equal(new ExecutionPlan(instances, 1, false, $"automatic: {cores} cores / 1 intra-op threads per execution"), plan);
        Assert.False(ExecutionPlanner.Oversubscribes(plan, cores));
    }

    [Theory]
    [InlineData(16, 4, 4)]
    [InlineData(16, 3, 5)]
    [InlineData(2, 4, 1)]
    public void ConfiguredThreadsLeaveTheRestOfTheCoresToMoreExecutions(int cores, int threads, int instances)
    {
        var model = Model(threads: threads, spinning: true);
        Assert.Equal(threads, ExecutionPlanner.IntraOpThreads(model, cores, serviceIntraOpThreads: 0));

        var plan = ExecutionPlanner.Plan(model, cores, Cpu, threads, serviceIntraOpSpinning: false);

        Assert.Equal(instances, plan.Instances);
        Assert.True(plan.IntraOpSpinning);
        Assert.Equal(threads > cores, ExecutionPlanner.Oversubscribes(plan, cores));
    }

    [Fact]
    public void TheServiceWideThreadsCountWhereTheModelSetsNone()
    {
        var model = Model();
        Assert.Equal(8, ExecutionPlanner.IntraOpThreads(model, 16, serviceIntraOpThreads: 8));
        Assert.Equal(2, ExecutionPlanner.Plan(model, 16, Cpu, 8, serviceIntraOpSpinning: true).Instances);
        Assert.Equal(2, ExecutionPlanner.IntraOpThreads(Model(threads: 2), 16, serviceIntraOpThreads: 8));
    }

    [Fact]
    public void ONNXRuntimesOwnChoiceOfThreadsIsEveryCoreForOneExecution()
    {
        var plan = ExecutionPlanner.Plan(Model(threads: 0), 8, Cpu, 0, serviceIntraOpSpinning: false);

        Assert.Equal(1, plan.Instances);
        Assert.False(ExecutionPlanner.Oversubscribes(plan, 8));
    }

    [Theory]
    [InlineData(1, 16, 16)]
    [InlineData(4, 16, 4)]
    [InlineData(3, 16, 5)]
    [InlineData(4, 2, 1)]
    public void AConfiguredInstanceCountSharesTheCoresOut(int instances, int cores, int threads)
    {
        var model = Model(instances: instances);
        var sessionThreads = ExecutionPlanner.IntraOpThreads(model, cores, serviceIntraOpThreads: 0);
        var plan = ExecutionPlanner.Plan(model, cores, Cpu, sessionThreads, serviceIntraOpSpinning: false);

        Assert.Equal(threads, sessionThreads);
        Assert.Equal(new ExecutionPlan(instances, threads, false, "instance_count from config.json"), plan);
        Assert.Equal(instances > cores, ExecutionPlanner.Oversubscribes(plan, cores));
    }

    [Fact]
    public void BothSetIsTakenAsWrittenAndAnOversubscriptionIsReported()
    {
        var model = Model(instances: 4, threads: 4);
        var plan = ExecutionPlanner.Plan(model, 8, Cpu, ExecutionPlanner.IntraOpThreads(model, 8, 0), serviceIntraOpSpinning: false);

        Assert.Equal((4, 4), (plan.Instances, plan.IntraOpThreads));
        Assert.True(ExecutionPlanner.Oversubscribes(plan, 8));
    }

    [Fact]
    public void AModelOnTheGpuGetsOneExecution()
    {
        var plan = ExecutionPlanner.Plan(Model(), 16, OrtModelExecutor.CudaExecutionProvider, 1, serviceIntraOpSpinning: false);

        Assert.Equal(1, plan.Instances);
        Assert.Equal("automatic: one execution on CUDAExecutionProvider", plan.Source);
    }
}
