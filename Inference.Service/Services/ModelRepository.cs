using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using MlAspire.Inference.Service.Batching;
using MlAspire.Inference.Service.Model;
using Microsoft.ML.OnnxRuntime;

namespace MlAspire.Inference.Service.Services;

/// <summary>
/// Loads every model folder of the repository in the background at start: config, ONNX session (CUDA when the model
/// prefers the GPU and it can load, else CPU), a check that config and model agree, warmup, then its batcher.
/// A model that fails is reported with its reason; the others still load.
/// </summary>
internal sealed partial class ModelRepository : IHostedService, IAsyncDisposable
{
    private readonly InferenceOptions _options;
    private readonly InferenceMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IHostEnvironment _environment;
    private readonly ConcurrentDictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loading = Task.CompletedTask;
    private volatile bool _loaded;
    private int _disposed;

    public ModelRepository(
        IOptions<InferenceOptions> options,
        InferenceMetrics metrics,
        ILoggerFactory loggers,
        IHostEnvironment environment,
        IMeterFactory meters)
    {
        _options = options.Value;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ModelRepository>();
        _environment = environment;
        meters.Create(InferenceMetrics.MeterName).CreateObservableGauge(
            "mlaspire_model_ready",
            ObserveModels,
            "{model}",
            "1 when the model serves requests, per model, version and execution provider in use");
    }

    /// <summary>True once every model folder has been tried (each is then ready or failed).</summary>
    public bool IsLoaded => _loaded;

    public string? RepositoryPath { get; private set; }

    public IReadOnlyCollection<ServedModel> Models => [.. _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal)];

    public bool TryGet(string name, out ServedModel model) => _models.TryGetValue(name, out model!);

    /// <summary>Completes when loading has finished (for tests and tools).</summary>
    public Task WhenLoadedAsync(CancellationToken cancellationToken = default) => _loading.WaitAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        RepositoryPath = ResolveRepositoryPath();
        _loading = Task.Run(() => LoadAll(RepositoryPath), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _disposed) != 0 ? Task.CompletedTask : _stopping.CancelAsync();

    private void LoadAll(string? repository)
    {
        try
        {
            if (repository is null || !Directory.Exists(repository))
            {
                LogRepositoryMissing(_logger, repository ?? "(none found)");
                return;
            }

            LogLoadingRepository(_logger, repository);
            foreach (var directory in Directory.EnumerateDirectories(repository).Order(StringComparer.Ordinal))
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                if (File.Exists(Path.Combine(directory, ModelConfigLoader.ConfigFileName)))
                {
                    LoadModel(directory);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRepositoryUnreadable(_logger, ex, repository ?? "");
        }
        finally
        {
            _loaded = true;
        }
    }

    private void LoadModel(string directory)
    {
        var served = new ServedModel(Path.GetFileName(directory));
        _models[served.Name] = served;
        ModelDefinition? definition = null;
        OrtModelExecutor? executor = null;
        try
        {
            definition = ModelConfigLoader.Load(directory);
            var cores = Environment.ProcessorCount;
            var intraOpThreads = ExecutionPlanner.IntraOpThreads(definition, cores, _options.IntraOpThreads);
            var spinning = definition.OnnxRuntime.IntraOpSpinning ?? _options.IntraOpSpinning;
            executor = OrtSessionFactory.CreateExecutor(definition, intraOpThreads, spinning, _options.CudaDeviceId, _logger);
            CheckAgreement(definition, executor.Session);
            var inputs = WarmupInputs(definition);
            var batchOneRun = Warmup(executor, inputs);
            if (ExecutionPlanner.IsAutomatic(definition, _options.IntraOpThreads) &&
                executor.ExecutionProvider == OrtModelExecutor.CpuExecutionProvider &&
                ExecutionPlanner.IntraOpThreadsForCost(cores, batchOneRun) is var planned && planned != intraOpThreads)
            {
                // A cheap model: the session is made again with the threads its cost calls for.
                executor.Dispose();
                executor = null;
                intraOpThreads = planned;
                executor = OrtSessionFactory.CreateExecutor(definition, intraOpThreads, spinning, _options.CudaDeviceId, _logger);
                batchOneRun = Warmup(executor, inputs);
            }

            var plan = ExecutionPlanner.Plan(
                definition, cores, executor.ExecutionProvider, intraOpThreads, _options.IntraOpThreads, _options.IntraOpSpinning, batchOneRun);
            if (ExecutionPlanner.Oversubscribes(plan, cores))
            {
                LogOversubscribed(_logger, definition.Name, plan.Instances, plan.IntraOpThreads, cores);
            }

            var (formBatches, batchingReason) = DecideBatching(definition, executor, batchOneRun);
            var batcher = new DynamicBatcher(
                definition, executor, plan.Instances, formBatches, _metrics, _loggers.CreateLogger<DynamicBatcher>());
            served.MarkReady(definition, executor, batcher);
            LogModelReady(_logger, definition.Name, definition.Version, executor.ExecutionProvider, plan.Instances,
                plan.IntraOpThreads == 0 ? "ONNX Runtime's choice" : plan.IntraOpThreads.ToString(CultureInfo.InvariantCulture),
                plan.IntraOpSpinning, plan.Source);
            LogBatching(_logger, definition.Name, formBatches ? "concatenates requests" : "runs one request per execution", batchingReason);
        }
        catch (Exception ex) when (ex is ModelConfigException or OnnxRuntimeException or InferenceException or IOException
                                       or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException
                                       or TypeInitializationException or ArgumentException)
        {
            executor?.Dispose();
            var reason = ex is ModelConfigException or InferenceException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            served.MarkFailed(definition, reason);
            LogModelFailed(_logger, served.Name, reason);
        }
    }

    /// <summary>The config must describe the model the ONNX file really is, or every request would fail at run time.</summary>
    private static void CheckAgreement(ModelDefinition definition, InferenceSession session)
    {
        var problems = new List<string>();
        Compare("input", definition.Inputs, session.InputMetadata, definition.SupportsBatching, problems);
        Compare("output", definition.Outputs, session.OutputMetadata, definition.SupportsBatching, problems);
        foreach (var extra in session.InputMetadata.Keys.Where(name => definition.FindInput(name) is null))
        {
            problems.Add($"the model needs input '{extra}', which the config does not declare");
        }

        if (problems.Count > 0)
        {
            throw new InferenceException(
                InferenceError.Internal,
                $"Model '{definition.Name}': config.json does not match model.onnx: {string.Join("; ", problems)}.");
        }
    }

    private static void Compare(
        string kind, IReadOnlyList<TensorSpec> declared, IReadOnlyDictionary<string, NodeMetadata> actual, bool batching, List<string> problems)
    {
        foreach (var spec in declared)
        {
            if (!actual.TryGetValue(spec.Name, out var meta))
            {
                problems.Add($"{kind} '{spec.Name}' is not in the model (it has {string.Join(", ", actual.Keys)})");
                continue;
            }

            if (!meta.IsTensor || meta.ElementDataType != OrtModelExecutor.ToElementType(spec.DataType))
            {
                problems.Add($"{kind} '{spec.Name}' is {(meta.IsTensor ? meta.ElementDataType : meta.OnnxValueType)} in the model but {spec.DataType} in the config");
                continue;
            }

            var dims = meta.Dimensions;
            var offset = batching ? 1 : 0;
            var fits = dims.Length == spec.Dims.Count + offset && (!batching || dims[0] == -1);
            for (var d = 0; fits && d < spec.Dims.Count; d++)
            {
                fits = dims[d + offset] == -1 || dims[d + offset] == spec.Dims[d];
            }

            if (!fits)
            {
                var expected = (batching ? "[batch, " : "[") + string.Join(", ", spec.Dims) + "]";
                problems.Add($"{kind} '{spec.Name}' has shape [{string.Join(", ", dims)}] in the model but the config says {expected}" +
                             (batching && dims.Length > 0 && dims[0] != -1 ? " (max_batch_size > 0 needs a dynamic first dimension)" : ""));
            }
        }
    }

    /// <summary>
    /// Whether the batcher concatenates requests. With <c>max_queue_delay_us</c> set, the config asked for batches.
    /// With 0, a cheap model batches (its run costs less than the serving work around it, which a batch shares out); a
    /// heavier one only where its batch of up to 8 rows costs under 80 % of a lone row's run per row.
    /// On a CPU a heavy model's batch costs about the sum of its rows (ResNet-50: 76 against 81 ms of CPU a row on
    /// 2 cores) and two batches side by side cost more (90 ms a row, cache-bound), so there each execution runs one
    /// request; a small model's batch costs a fraction (digits: under half), so it batches.
    /// </summary>
    private (bool FormBatches, string Reason) DecideBatching(ModelDefinition definition, OrtModelExecutor executor, TimeSpan batchOneRun)
    {
        if (!definition.Batching.Enabled || !definition.SupportsBatching)
        {
            return (false, "dynamic batching is off in config.json");
        }

        if (definition.Batching.MaxQueueDelay > TimeSpan.Zero || definition.MaxBatchSize < 2)
        {
            return (true, "as configured (max_queue_delay_us set, or max_batch_size 1)");
        }

        if (batchOneRun < ExecutionPlanner.CheapRun)
        {
            // The serving work around a run (the call, the queue, the response) outweighs the run: sharing it pays.
            return (true, string.Create(CultureInfo.InvariantCulture,
                $"a lone row's run takes {batchOneRun.TotalMilliseconds:0.###} ms, less than the serving work a batch shares out"));
        }

        var rows = Math.Min(definition.MaxBatchSize, 8);
        var inputs = WarmupInputs(definition, rows);
        executor.RunAsync(inputs, _stopping.Token).GetAwaiter().GetResult();
        var started = Stopwatch.GetTimestamp();
        executor.RunAsync(inputs, _stopping.Token).GetAwaiter().GetResult();
        var perRow = Stopwatch.GetElapsedTime(started) / rows;
        var pays = perRow < batchOneRun * 0.8;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"a batch of {rows} costs {perRow.TotalMilliseconds:0.###} ms a row against {batchOneRun.TotalMilliseconds:0.###} ms alone");
        return (pays, reason);
    }

    /// <summary>Zeros of the model's input shapes at <paramref name="rows"/> rows (any free dimension 1).</summary>
    private static List<Tensor> WarmupInputs(ModelDefinition definition, int rows = 1) => [.. definition.Inputs.Select(spec =>
    {
        var shape = (definition.SupportsBatching ? new long[] { rows } : []).Concat(spec.Dims.Select(d => d == -1 ? 1 : d)).ToArray();
        var bytes = new byte[Tensor.ElementCount(shape) * TensorDataTypes.SizeOf(spec.DataType)];
        return new Tensor(spec.Name, spec.DataType, shape, bytes);
    })];

    /// <summary>
    /// The configured warmup runs, then the model's cost for the execution plan: the quickest of three timed runs
    /// (the quickest, so that a run the host's other work preempted does not make a cheap model look heavy).
    /// </summary>
    private TimeSpan Warmup(OrtModelExecutor executor, List<Tensor> inputs)
    {
        for (var i = 0; i < _options.WarmupRuns; i++)
        {
            executor.RunAsync(inputs, _stopping.Token).GetAwaiter().GetResult();
        }

        var quickest = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var started = Stopwatch.GetTimestamp();
            executor.RunAsync(inputs, _stopping.Token).GetAwaiter().GetResult();
            var elapsed = Stopwatch.GetElapsedTime(started);
            quickest = elapsed < quickest ? elapsed : quickest;
        }

        return quickest;
    }

    private string? ResolveRepositoryPath()
    {
        if (!string.IsNullOrWhiteSpace(_options.ModelRepository))
        {
            return Path.GetFullPath(_options.ModelRepository, _environment.ContentRootPath);
        }

        foreach (var start in new[] { _environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "models");
                if (Directory.Exists(candidate) &&
                    Directory.EnumerateFiles(candidate, ModelConfigLoader.ConfigFileName, SearchOption.AllDirectories).Any())
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private IEnumerable<Measurement<int>> ObserveModels() =>
        _models.Values.Select(m => new Measurement<int>(
            m.Status == ModelStatus.Ready ? 1 : 0,
            new KeyValuePair<string, object?>("model", m.Name),
            new KeyValuePair<string, object?>("version", m.Definition?.Version ?? ""),
            new KeyValuePair<string, object?>("execution_provider", m.ExecutionProvider ?? "none")));

    public async ValueTask DisposeAsync()
    {
        // The host disposes it both as a service and as the hosted service it also is: only the first call counts.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loading.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Loading was interrupted by shutdown.
        }

        foreach (var model in _models.Values)
        {
            if (model.Batcher is { } batcher)
            {
                await batcher.DisposeAsync().ConfigureAwait(false);
            }

            model.Executor?.Dispose();
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Loading the model repository at {Path}")]
    private static partial void LogLoadingRepository(ILogger logger, string path);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Model {Model} version {Version} is ready on {Provider} (concurrent executions: {Instances}, intra-op threads: {IntraOpThreads}, spinning: {IntraOpSpinning}; {PlanSource})")]
    private static partial void LogModelReady(ILogger logger, string model, string version, string provider, int instances, string intraOpThreads, bool intraOpSpinning, string planSource);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Model {Model} {Batching}: {Reason}")]
    private static partial void LogBatching(ILogger logger, string model, string batching, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Model {Model} runs {Instances} executions sharing a pool of {IntraOpThreads} intra-op threads (0: every core) on {Cores} cores: more threads than cores, which then take turns")]
    private static partial void LogOversubscribed(ILogger logger, string model, int instances, int intraOpThreads, int cores);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Model {Model} failed to load: {Reason}")]
    private static partial void LogModelFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "The model repository {Path} does not exist; set Inference:ModelRepository")]
    private static partial void LogRepositoryMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "The model repository {Path} could not be read")]
    private static partial void LogRepositoryUnreadable(ILogger logger, Exception exception, string path);
}
