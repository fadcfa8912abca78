using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

public sealed class DynamicBatcherTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InferenceMetrics _metrics;

    public DynamicBatcherTests() => _metrics = new InferenceMetrics(_services.GetRequiredService<IMeterFactory>());

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }

    private static ModelDefinition Model(
        int maxBatch = 32, int delayMs = 50, int queue = 1024, bool batching = true, int[]? preferred = null, int instances = 1) =>
        new("sum", "1", "onnxruntime_onnx", "unused", maxBatch,
            [new TensorSpec("x", TensorDataType.FP32, [-1], null)],
            [new TensorSpec("sum", TensorDataType.FP32, [1], null)],
            new BatchingSpec(batching, TimeSpan.FromMilliseconds(delayMs), preferred ?? [], queue),
            instances, ExecutionProviderPreference.Cpu, null, null, OrtSettingsSpec.ServiceDefaults);

    private DynamicBatcher Batcher(ModelDefinition model, RowSumExecutor executor) =>
        new(model, executor, model.InstanceCount ?? 1, formBatches: true, _metrics, NullLogger.Instance);

    private static Tensor Rows(params float[][] rows)
    {
        var flat = rows.SelectMany(r => r).ToArray();
        return new Tensor("x", TensorDataType.FP32, [rows.Length, rows[0].Length], MemoryMarshal.AsBytes(flat.AsSpan()).ToArray());
    }

    private static float[] Sums(IReadOnlyList<Tensor> outputs) => MemoryMarshal.Cast<byte, float>(outputs.Single().Data.Span).ToArray();

    [Fact]
    public async Task ConcurrentSingleRowRequestsShareExecutionsAndGetTheirOwnAnswers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(maxBatch: 32, delayMs: 200), executor);

        var calls = Enumerable.Range(0, 32)
            .Select(i => batcher.EnqueueAsync([Rows([i, i * 10f, 0.5f])], 1, cts.Token))
            .ToList();
        executor.Gate.SetResult();
        var answers = await Task.WhenAll(calls).WaitAsync(cts.Token);

        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(new float[] { (i * 11f) + 0.5f }, Sums(answers[i]));
            Assert.Equal([1L, 1], answers[i].Single().Shape);
        }

        Assert.Equal(32, executor.BatchRows.Sum());
        Assert.True(executor.BatchRows.Count < 32 / 4, $"executions: {string.Join(", ", executor.BatchRows)}");
    }

    [Fact]
    public async Task MultiRowRequestsAreSplitBackInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(maxBatch: 16, delayMs: 200), executor);

        var a = batcher.EnqueueAsync([Rows([1, 1], [2, 2], [3, 3])], 3, cts.Token);
        var b = batcher.EnqueueAsync([Rows([10, 10])], 1, cts.Token);
        var c = batcher.EnqueueAsync([Rows([5, 0], [6, 0])], 2, cts.Token);
        executor.Gate.SetResult();

        Assert.Equal(new float[] { 2f, 4, 6 }, Sums(await a.WaitAsync(cts.Token)));
        Assert.Equal(new float[] { 20f }, Sums(await b.WaitAsync(cts.Token)));
        Assert.Equal(new float[] { 5f, 6 }, Sums(await c.WaitAsync(cts.Token)));
    }

    [Fact]
    public async Task NoExecutionExceedsTheMaximumBatchSize()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(maxBatch: 4, delayMs: 100), executor);

        var calls = Enumerable.Range(0, 10).Select(i => batcher.EnqueueAsync([Rows([i], [i])], 2, cts.Token)).ToList();
        executor.Gate.SetResult();
        await Task.WhenAll(calls).WaitAsync(cts.Token);

        Assert.All(executor.BatchRows, rows => Assert.InRange(rows, 1, 4));
        Assert.Equal(20, executor.BatchRows.Sum());
    }

    [Fact]
    public async Task RequestsOfDifferentShapesAreNotBatchedTogether()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(delayMs: 100), executor);

        var narrow = batcher.EnqueueAsync([Rows([1, 2])], 1, cts.Token);
        var wide = batcher.EnqueueAsync([Rows([1, 2, 3])], 1, cts.Token);
        var narrow2 = batcher.EnqueueAsync([Rows([3, 4])], 1, cts.Token);
        executor.Gate.SetResult();

        Assert.Equal(new float[] { 3f }, Sums(await narrow.WaitAsync(cts.Token)));
        Assert.Equal(new float[] { 6f }, Sums(await wide.WaitAsync(cts.Token)));
        Assert.Equal(new float[] { 7f }, Sums(await narrow2.WaitAsync(cts.Token)));
        Assert.Equal(2, executor.BatchRows.Count);
    }

    [Fact]
    public async Task AFullQueueRefusesWithResourceExhausted()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(maxBatch: 1, queue: 2), executor);

        var running = batcher.EnqueueAsync([Rows([1])], 1, cts.Token);
        while (batcher.QueueLength > 0)
        {
            await Task.Delay(10, cts.Token); // the loop has taken the first request and is held at the gate
        }

        var queued = new[] { batcher.EnqueueAsync([Rows([2])], 1, cts.Token), batcher.EnqueueAsync([Rows([3])], 1, cts.Token) };
        var ex = Assert.Throws<InferenceException>(() => { _ = batcher.EnqueueAsync([Rows([4])], 1, cts.Token); });
        executor.Gate.SetResult();

        Assert.Equal(InferenceError.ResourceExhausted, ex.Error);
        Assert.Contains("queue of model 'sum' is full", ex.Message, StringComparison.Ordinal);
        await Task.WhenAll(queued.Append(running)).WaitAsync(cts.Token);
    }

    [Fact]
    public async Task ARequestCancelledWhileQueuedNeverRuns()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(maxBatch: 1), executor);
        using var callerCts = new CancellationTokenSource();

        var running = batcher.EnqueueAsync([Rows([1])], 1, cts.Token);
        var doomed = batcher.EnqueueAsync([Rows([100])], 1, callerCts.Token);
        await callerCts.CancelAsync();
        executor.Gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed.WaitAsync(cts.Token));
        Assert.Equal(new float[] { 1f }, Sums(await running.WaitAsync(cts.Token)));
        var after = await batcher.EnqueueAsync([Rows([7])], 1, cts.Token).WaitAsync(cts.Token);
        Assert.Equal(new float[] { 7f }, Sums(after));
        Assert.Equal([1, 1], executor.BatchRows);
    }

    [Fact]
    public async Task AFailedRunFailsEveryRequestInItsBatchWithoutLeakingDetails()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource(), Failure = new InvalidOperationException("native secret") };
        await using var batcher = Batcher(Model(delayMs: 100), executor);

        var calls = Enumerable.Range(0, 3).Select(i => batcher.EnqueueAsync([Rows([i])], 1, cts.Token)).ToList();
        executor.Gate.SetResult();

        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<InferenceException>(() => call.WaitAsync(cts.Token));
            Assert.Equal(InferenceError.Internal, ex.Error);
            Assert.DoesNotContain("native secret", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutDynamicBatchingEachRequestRunsAlone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(batching: false), executor);

        var calls = Enumerable.Range(0, 5).Select(i => batcher.EnqueueAsync([Rows([i])], 1, cts.Token)).ToList();
        executor.Gate.SetResult();
        await Task.WhenAll(calls).WaitAsync(cts.Token);

        Assert.Equal([1, 1, 1, 1, 1], executor.BatchRows);
    }

    [Fact]
    public async Task DisposingFailsWhatIsStillQueuedAsUnavailable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        var batcher = Batcher(Model(maxBatch: 1), executor);
        var running = batcher.EnqueueAsync([Rows([1])], 1, cts.Token);
        while (batcher.QueueLength > 0)
        {
            await Task.Delay(10, cts.Token);
        }

        var queued = batcher.EnqueueAsync([Rows([2])], 1, cts.Token);
        // The run in flight is held at the gate; shutdown cancels it rather than waiting for it.
        await batcher.DisposeAsync().AsTask().WaitAsync(cts.Token);

        var ex = await Assert.ThrowsAsync<InferenceException>(() => queued.WaitAsync(cts.Token));
        Assert.Equal(InferenceError.Unavailable, ex.Error);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(cts.Token));
    }

    [Fact]
    public async Task WithoutADelayALoneRequestRunsAtOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor();
        await using var batcher = Batcher(Model(delayMs: 0, preferred: [8, 16]), executor);

        var answer = await batcher.EnqueueAsync([Rows([1, 2])], 1, cts.Token).WaitAsync(cts.Token);

        Assert.Equal(new float[] { 3f }, Sums(answer));
        Assert.Equal([1], executor.BatchRows);
    }

    [Fact]
    public async Task AConfiguredDelayHoldsALoneRequestForCompany()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor();
        await using var batcher = Batcher(Model(delayMs: 300), executor);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var first = batcher.EnqueueAsync([Rows([1])], 1, cts.Token);
        var second = batcher.EnqueueAsync([Rows([2])], 1, cts.Token);
        await Task.WhenAll(first, second).WaitAsync(cts.Token);

        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(250));
        Assert.Equal([2], executor.BatchRows);
    }

    [Fact]
    public async Task RequestsRunSideBySideWhileExecutionSlotsAreFree()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(delayMs: 0, instances: 2), executor);

        var a = batcher.EnqueueAsync([Rows([1])], 1, cts.Token);
        var b = batcher.EnqueueAsync([Rows([2])], 1, cts.Token);
        // Both are in a run at once: neither waits for the other, nor for company.
        while (executor.Running < 2)
        {
            await Task.Delay(5, cts.Token);
        }

        Assert.Equal(2, batcher.Instances);
        Assert.Equal(0, batcher.QueueLength);
        executor.Gate.SetResult();
        Assert.Equal(new float[] { 1f }, Sums(await a.WaitAsync(cts.Token)));
        Assert.Equal(new float[] { 2f }, Sums(await b.WaitAsync(cts.Token)));
        Assert.Equal([1, 1], executor.BatchRows);
    }

    [Fact]
    public async Task WhatQueuesWhileEverySlotIsBusyRunsAsOneBatch()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var executor = new RowSumExecutor { Gate = new TaskCompletionSource() };
        await using var batcher = Batcher(Model(delayMs: 0, instances: 1), executor);

        var running = batcher.EnqueueAsync([Rows([1])], 1, cts.Token);
        while (executor.Running < 1)
        {
            await Task.Delay(5, cts.Token);
        }

        var queued = Enumerable.Range(2, 5).Select(i => batcher.EnqueueAsync([Rows([i])], 1, cts.Token)).ToList();
        executor.Gate.SetResult();
        var answers = await Task.WhenAll(queued.Prepend(running)).WaitAsync(cts.Token);

        Assert.Equal([1, 5], executor.BatchRows);
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.Equal(new float[] { i + 1f }, Sums(answers[i]));
        }
    }
}
