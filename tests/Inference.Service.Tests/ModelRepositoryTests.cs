using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Tests;

public sealed class ModelRepositoryTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-repo-").FullName;
    private ServiceProvider? _services;
    private ModelRepository? _repository;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_repository is not null)
        {
            await _repository.DisposeAsync();
        }

        _services?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "inference-tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private async Task<ModelRepository> LoadAsync(CancellationToken cancellationToken, ILoggerFactory? loggers = null)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        _repository = new ModelRepository(
            Options.Create(new InferenceOptions { ModelRepository = _root, WarmupRuns = 1 }),
            new InferenceMetrics(meters),
            loggers ?? NullLoggerFactory.Instance,
            new TestEnvironment(_root),
            meters);
        await _repository.StartAsync(cancellationToken);
        await _repository.WhenLoadedAsync(cancellationToken);
        return _repository;
    }

    /// <summary>The digits model as "digits", as "broken" with <paramref name="brokenConfig"/>, and as "corrupt" with
    /// <paramref name="corruptModel"/> for its model.onnx.</summary>
    private void CopyGoodBrokenAndCorruptModels(string brokenConfig, byte[] corruptModel)
    {
        TestModels.CopyModel(TestModels.DigitsDirectory, _root);
        var broken = TestModels.CopyModel(TestModels.DigitsDirectory, _root, "broken");
        File.WriteAllText(Path.Combine(broken, "config.json"), brokenConfig);
        var corrupt = TestModels.CopyDigitsAs(_root, "corrupt");
        File.WriteAllBytes(Path.Combine(corrupt, "1", "model.onnx"), corruptModel);
    }

    [Fact]
    public async Task ABrokenModelFailsWithItsReasonWhileTheOthersServe()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        CopyGoodBrokenAndCorruptModels("{ \"name\": \"broken\", ", [0x08, 0x07, 0xFF, 0xFF, 0x12]);

        var repository = await LoadAsync(cts.Token);

        Assert.True(repository.TryGet("digits", out var digits));
        Assert.Equal(ModelStatus.Ready, digits.Status);
        Assert.Equal("CPUExecutionProvider", digits.ExecutionProvider); // this machine has no GPU: fell back to CPU
        Assert.True(repository.TryGet("broken", out var brokenModel));
        Assert.Equal(ModelStatus.Failed, brokenModel.Status);
        Assert.Contains("config.json is not valid", brokenModel.FailureReason, StringComparison.Ordinal);
        Assert.True(repository.TryGet("corrupt", out var corruptModel));
        Assert.Equal(ModelStatus.Failed, corruptModel.Status);
        Assert.Contains("OnnxRuntimeException", corruptModel.FailureReason, StringComparison.Ordinal);

        var health = await new ModelRepositoryHealthCheck(repository).CheckHealthAsync(new HealthCheckContext(), cts.Token);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("broken", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachBrokenModelsReasonIsLoggedAsAnErrorAndTheGoodModelAsReady()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var garbage = new byte[4096];
        new Random(3).NextBytes(garbage);
        CopyGoodBrokenAndCorruptModels("{ \"name\": \"broken\", \"max_batch_size\": [ }", garbage);
        using var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(capture));

        var repository = await LoadAsync(cts.Token, loggers);

        var failures = capture.Entries.Where(e => e.EventId.Id == 3002).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, e => Assert.Equal(LogLevel.Error, e.Level));
        Assert.Contains(failures, e => e.Message.StartsWith("Model broken failed to load: ", StringComparison.Ordinal) && e.Message.Contains("config.json is not valid", StringComparison.Ordinal));
        Assert.Contains(failures, e => e.Message.StartsWith("Model corrupt failed to load: ", StringComparison.Ordinal) && e.Message.Contains("OnnxRuntimeException", StringComparison.Ordinal));
        Assert.Contains(capture.Entries, e => e.EventId.Id == 3001 && e.Message.StartsWith("Model digits ", StringComparison.Ordinal));
        Assert.True(repository.TryGet("digits", out var digits));
        Assert.Equal(ModelStatus.Ready, digits.Status);
    }

    [Fact]
    public async Task AModelsOwnOnnxRuntimeSettingsOverrideTheServiceWideOnes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        TestModels.CopyModel(TestModels.DigitsDirectory, _root);
        TestModels.CopyDigitsAs(_root, "tuned", config => WithBefore(config, "\"execution_provider\"", "\"onnxruntime\": { \"intra_op_threads\": 1, \"intra_op_spinning\": true }, "));
        TestModels.CopyDigitsAs(_root, "single", config => WithBefore(config, "\"execution_provider\"", "\"instance_count\": 1, "));
        using var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(capture));

        var repository = await LoadAsync(cts.Token, loggers);

        var cores = Environment.ProcessorCount;
        Assert.True(repository.TryGet("tuned", out var model));
        Assert.Equal(ModelStatus.Ready, model.Status);
        var ready = capture.Entries.Where(e => e.EventId.Id == 3001).Select(e => e.Message).ToList();
        Assert.Contains(ready, m => m.StartsWith("Model tuned ", StringComparison.Ordinal) && m.EndsWith(
            $"(concurrent executions: {cores}, intra-op threads: 1, spinning: True; {cores} cores / 1 configured intra-op threads per execution)", StringComparison.Ordinal));
        // Nothing set: digits is cheap (tens of microseconds a run), so one single-threaded execution per core.
        Assert.Contains(ready, m => m.StartsWith("Model digits ", StringComparison.Ordinal) &&
            m.Contains($"(concurrent executions: {cores}, intra-op threads: 1, spinning: False; automatic: a batch-1 run takes ", StringComparison.Ordinal) &&
            m.EndsWith(" ms, so one thread per run and one run per core)", StringComparison.Ordinal));
        // instance_count alone: the cores shared out between its executions.
        Assert.Contains(ready, m => m.StartsWith("Model single ", StringComparison.Ordinal) && m.EndsWith(
            $"(concurrent executions: 1, intra-op threads: {cores}, spinning: False; instance_count from config.json)", StringComparison.Ordinal));
        Assert.Contains(capture.Entries, e => e.EventId.Id == 3007 &&
            e.Message.StartsWith("Model digits concatenates requests: a lone row's run takes ", StringComparison.Ordinal));
        Assert.True(repository.TryGet("digits", out var digits));
        Assert.Equal(cores, digits.Batcher!.Instances);
        Assert.True(repository.TryGet("single", out var single));
        Assert.Equal(1, single.Batcher!.Instances);
    }

    private static string WithBefore(string config, string anchor, string insert)
    {
        var edited = config.Replace(anchor, insert + anchor, StringComparison.Ordinal);
        Assert.NotEqual(config, edited);
        return edited;
    }

    [Fact]
    public async Task AConfigThatDisagreesWithTheModelFailsNamingTheTensor()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var dir = TestModels.CopyModel(TestModels.DigitsDirectory, _root);
        var config = File.ReadAllText(Path.Combine(dir, "config.json"));
        File.WriteAllText(Path.Combine(dir, "config.json"), config.Replace("\"logits\"", "\"scores\"", StringComparison.Ordinal));

        var repository = await LoadAsync(cts.Token);

        Assert.True(repository.TryGet("digits", out var digits));
        Assert.Equal(ModelStatus.Failed, digits.Status);
        Assert.Contains("output 'scores' is not in the model (it has logits)", digits.FailureReason, StringComparison.Ordinal);
        var health = await new ModelRepositoryHealthCheck(repository).CheckHealthAsync(new HealthCheckContext(), cts.Token);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
    }

    [Fact]
    public async Task ConcurrentSingleDigitCallersAreBatchedAndGetTheUnbatchedAnswers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        TestModels.CopyModel(TestModels.DigitsDirectory, _root);
        var repository = await LoadAsync(cts.Token);
        Assert.True(repository.TryGet("digits", out var digits));
        var (images, labels) = TestModels.HeldOut();
        var model = digits.Definition!;

        Tensor Input(int i) => new("input", TensorDataType.FP32, [1, 1, 28, 28], MemoryMarshal.AsBytes(images[i].AsSpan()).ToArray());
        var batcher = digits.Batcher!;

        // Unbatched answers, one request at a time.
        var alone = new List<float[]>();
        for (var i = 0; i < 32; i++)
        {
            var output = await batcher.EnqueueAsync([Input(i)], 1, cts.Token);
            alone.Add(MemoryMarshal.Cast<byte, float>(output.Single().Data.Span).ToArray());
        }

        var executor = (Batching.OrtModelExecutor)digits.Executor!;
        var counting = new CountingExecutor(executor);
        await using var batched = new Batching.DynamicBatcher(
            model with { Batching = model.Batching with { MaxQueueDelay = TimeSpan.FromMilliseconds(20) } },
            counting,
            1,
            formBatches: true,
            new InferenceMetrics(_services!.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLogger.Instance);
        var together = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => batched.EnqueueAsync([Input(i)], 1, cts.Token))));

        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(alone[i], MemoryMarshal.Cast<byte, float>(together[i].Single().Data.Span).ToArray());
        }

        Assert.True(counting.Executions < 16, $"32 requests took {counting.Executions} executions");
        var correct = Enumerable.Range(0, 32).Count(i => Array.IndexOf(alone[i], alone[i].Max()) == labels[i]);
        Assert.True(correct >= 31, $"{correct}/32 correct");
    }

    /// <summary>Counts real executions of the wrapped executor.</summary>
    private sealed class CountingExecutor(Batching.IModelExecutor inner) : Batching.IModelExecutor
    {
        private int _executions;

        public int Executions => Volatile.Read(ref _executions);

        public string ExecutionProvider => inner.ExecutionProvider;

        public Task<IReadOnlyList<Tensor>> RunAsync(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _executions);
            return inner.RunAsync(inputs, cancellationToken);
        }

        public void Dispose()
        {
        }
    }
}
