using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlAspire.Imaging;
using MlAspire.Inference.Protocol;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>
/// Runs jobs read from the stream: per model, loads the images, preprocesses them into one batch buffer, calls
/// ModelInfer, writes each result (once, by script) and only then acknowledges the entry. Each delivery has counted an
/// attempt in the job hash already, in the script that handed the job over; transient inference failures are retried in place with backoff, for up to
/// <see cref="WorkerOptions.RetryFor"/>, without spending attempts. Jobs over the attempt limit, with bad images, rejected
/// by the model or failing transiently for too long go to the dead-letter stream. On shutdown, unfinished jobs stay pending.
/// </summary>
internal sealed class JobProcessor(
    IConnectionMultiplexer redis,
    GRPCInferenceService.GRPCInferenceServiceClient inference,
    ModelCatalog catalog,
    WorkerMetrics metrics,
    ConsumerState state,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<JobProcessor> logger)
{
    private readonly WorkerOptions _options = options.Value;
    private readonly IDatabase _db = redis.GetDatabase();
    private readonly ImageLimits _limits = new()
    {
        MaxWidth = options.Value.MaxImageDimension,
        MaxHeight = options.Value.MaxImageDimension,
        MaxPixels = options.Value.MaxImagePixels,
    };

    /// <summary>
    /// Processes jobs handed to this worker (their attempt already counted); returns when each is finished
    /// (acknowledged) or released (left pending). Entries that name no job, and jobs gone or finished already (a
    /// duplicate delivery), are acknowledged without work; jobs over the attempt limit are dead-lettered.
    /// </summary>
    public async Task ProcessAsync(IReadOnlyList<QueuedJob> delivered, CancellationToken stoppingToken)
    {
        var jobs = new List<QueuedJob>(delivered.Count);
        var done = new List<string>();
        var overLimit = new List<QueuedJob>();
        foreach (var job in delivered)
        {
            if (job.Id.Length == 0 || job.Model.Length == 0 || job.PreviousStatus == "missing" || JobStatuses.IsTerminal(job.PreviousStatus))
            {
                if (job.Id.Length > 0)
                {
                    Log.JobAlreadyDone(logger, job.Id, job.PreviousStatus);
                }

                done.Add(job.EntryId);
            }
            else if (job.Attempts > _options.MaxAttempts)
            {
                overLimit.Add(job);
            }
            else
            {
                jobs.Add(job);
            }
        }

        if (done.Count > 0)
        {
            await AcknowledgeAsync(done).ConfigureAwait(false);
        }

        foreach (var job in overLimit)
        {
            await FailAsync(job, $"Gave up after {_options.MaxAttempts} attempts: it was taken over too often (the workers holding it stopped).").ConfigureAwait(false);
        }

        foreach (var group in jobs.GroupBy(j => j.Model, StringComparer.Ordinal))
        {
            await ProcessModelAsync(group.Key, [.. group], stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessModelAsync(string model, List<QueuedJob> jobs, CancellationToken stoppingToken)
    {
        ModelSpec? spec = null;
        DateTimeOffset? failingSince = null;
        for (var retry = 1; spec is null; retry++)
        {
            try
            {
                spec = await catalog.GetAsync(model, stoppingToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                await FailAllAsync(jobs, $"Model '{model}' is not served by the inference service.").ConfigureAwait(false);
                return;
            }
            catch (ModelSpecException ex)
            {
                await FailAllAsync(jobs, ex.Message).ConfigureAwait(false);
                return;
            }
            catch (RpcException ex)
            {
                // Any other answer means the service cannot say now (down, restarting, loading): wait, keep the jobs.
                failingSince ??= time.GetUtcNow();
                if (await GiveUpAsync(jobs, failingSince.Value, $"the model's metadata stayed unavailable ({ex.StatusCode})").ConfigureAwait(false))
                {
                    return;
                }

                var delay = Backoff(retry);
                Log.MetadataUnavailable(logger, model, ex.StatusCode.ToString(), jobs.Count, delay);
                if (!await WaitToRetryAsync(delay, stoppingToken).ConfigureAwait(false))
                {
                    Log.Released(logger, jobs.Count, model);
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                Log.Released(logger, jobs.Count, model);
                return;
            }
        }

        var live = await LoadImagesAsync(jobs).ConfigureAwait(false);
        if (live.Count == 0)
        {
            return;
        }

        foreach (var chunk in live.Chunk(spec.CallBatchLimit))
        {
            if (!await RunChunkAsync(spec, chunk, stoppingToken).ConfigureAwait(false))
            {
                var left = live.SkipWhile(j => j != chunk[0]).Count();
                Log.Released(logger, left, model);
                return;
            }
        }
    }

    /// <summary>Loads the images of the jobs; a job whose image is gone (expired) is dead-lettered.</summary>
    private async Task<List<QueuedJob>> LoadImagesAsync(List<QueuedJob> jobs)
    {
        var loaded = await _db.StringGetAsync([.. jobs.Select(j => (RedisKey)QueueKeys.Image(j.Id))]).ConfigureAwait(false);
        var live = new List<QueuedJob>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            if (loaded[i].IsNull)
            {
                await FailAsync(jobs[i], "The job's image expired before it could be processed.").ConfigureAwait(false);
                continue;
            }

            jobs[i].Image = (ReadOnlyMemory<byte>)loaded[i];
            live.Add(jobs[i]);
        }

        return live;
    }

    /// <summary>Runs one inference call's worth of jobs. False when shutdown interrupted it (jobs left pending).</summary>
    private async Task<bool> RunChunkAsync(ModelSpec spec, QueuedJob[] chunk, CancellationToken stoppingToken)
    {
        // One span for the batch, under the first job's trace (from the gateway's enqueue span), linked to the others':
        // preprocessing and the ModelInfer call below become its children.
        using var activity = StartBatchActivity(spec.Name, chunk);
        var length = spec.Preprocessing.TensorLength;
        var buffer = ArrayPool<float>.Shared.Rent(chunk.Length * length);
        try
        {
            var ready = new List<QueuedJob>(chunk.Length);
            foreach (var job in chunk)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    ImagePreprocessor.Preprocess(job.Image.Span, spec.Preprocessing, buffer.AsSpan(ready.Count * length, length), _limits);
                    job.PreprocessMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    metrics.PreprocessingTime.Record(job.PreprocessMs);
                    job.Slot = ready.Count;
                    ready.Add(job);
                }
                catch (ImageDecodeException ex)
                {
                    await FailAsync(job, $"The image cannot be decoded ({ex.Error}).").ConfigureAwait(false);
                }
                finally
                {
                    job.Image = default;
                }
            }

            DateTimeOffset? failingSince = null;
            for (var retry = 1; ; retry++)
            {
                var request = BuildRequest(spec, buffer, ready);
                var started = Stopwatch.GetTimestamp();
                string failure;
                try
                {
                    // No cancellation token: a call in flight at shutdown finishes (bounded by its deadline).
                    var response = await inference.ModelInferAsync(
                        request, deadline: time.GetUtcNow().UtcDateTime + _options.InferenceTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    var inferenceMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    metrics.InferenceTime.Record(inferenceMs);
                    metrics.BatchSize.Record(ready.Count);
                    await WriteResultsAsync(spec, ready, response, inferenceMs).ConfigureAwait(false);
                    return true;
                }
                catch (RpcException ex) when (IsTransient(ex.StatusCode))
                {
                    failure = ex.StatusCode.ToString();
                }
                catch (RpcException ex)
                {
                    catalog.Invalidate(spec.Name);
                    await FailAllAsync(ready, $"The inference service rejected the request ({ex.StatusCode}).").ConfigureAwait(false);
                    return true;
                }

                // The service is restarting, overloaded or loading: not the jobs' fault, so no attempt is spent. Retry
                // until it answers or RetryFor runs out.
                failingSince ??= time.GetUtcNow();
                if (await GiveUpAsync(ready, failingSince.Value, $"inference kept failing ({failure})").ConfigureAwait(false))
                {
                    return true;
                }

                metrics.Retried.Add(ready.Count);
                var delay = Backoff(retry);
                Log.InferenceRetry(logger, ready.Count, spec.Name, failure, delay);
                if (!await WaitToRetryAsync(delay, stoppingToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Dead-letters the jobs when transient failures have lasted <see cref="WorkerOptions.RetryFor"/>; true when it did.</summary>
    private async Task<bool> GiveUpAsync(IReadOnlyList<QueuedJob> jobs, DateTimeOffset failingSince, string reason)
    {
        if (time.GetUtcNow() - failingSince < _options.RetryFor)
        {
            return false;
        }

        await FailAllAsync(jobs, $"Gave up after {_options.RetryFor.TotalSeconds:0.###} s: {reason}.").ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Waits before a retry; the jobs stay this worker's meanwhile (its heartbeat says it is alive, see
    /// <see cref="WorkerHeartbeat"/>). False when shutdown interrupted the wait: the jobs stay pending for another worker.
    /// </summary>
    private async Task<bool> WaitToRetryAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Activity? StartBatchActivity(string model, QueuedJob[] chunk)
    {
        ActivityContext parent = default;
        var links = new List<ActivityLink>(chunk.Length);
        foreach (var job in chunk)
        {
            if (!JobTracing.TryParse(job.TraceParent, out var context))
            {
                continue;
            }

            if (parent == default)
            {
                parent = context;
            }
            else
            {
                links.Add(new ActivityLink(context));
            }
        }

        var activity = WorkerTelemetry.Source.StartActivity("mlaspire:jobs process", ActivityKind.Consumer, parent, links: links);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.destination.name", QueueKeys.Jobs);
        activity?.SetTag("messaging.batch.message_count", chunk.Length);
        activity?.SetTag("mlaspire.model", model);
        return activity;
    }

    private static ModelInferRequest BuildRequest(ModelSpec spec, float[] buffer, List<QueuedJob> jobs)
    {
        var length = spec.Preprocessing.TensorLength;
        var input = new ModelInferRequest.Types.InferInputTensor { Name = spec.InputName, Datatype = "FP32" };
        if (spec.MaxBatchSize > 0)
        {
            input.Shape.Add(jobs.Count);
        }

        input.Shape.Add(spec.InputDims);
        var request = new ModelInferRequest { ModelName = spec.Name, Inputs = { input } };
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = spec.OutputName });
        // Raw tensors are little-endian; so is every platform .NET runs this on (checked at start).
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(buffer.AsSpan(0, jobs.Count * length))));
        return request;
    }

    private async Task WriteResultsAsync(ModelSpec spec, List<QueuedJob> jobs, ModelInferResponse response, double inferenceMs)
    {
        var index = -1;
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            if (response.Outputs[i].Name == spec.OutputName)
            {
                index = i;
                break;
            }
        }

        var raw = index >= 0 && index < response.RawOutputContents.Count ? response.RawOutputContents[index].Span : default;
        var classes = jobs.Count > 0 ? raw.Length / sizeof(float) / jobs.Count : 0;
        if (classes == 0 || raw.Length != classes * jobs.Count * sizeof(float))
        {
            await FailAllAsync(jobs, $"The inference service returned no usable '{spec.OutputName}' output.").ConfigureAwait(false);
            return;
        }

        var version = string.IsNullOrEmpty(response.ModelVersion) ? spec.Version : response.ModelVersion;
        var scores = new double[classes];
        var n = jobs.Count;
        var keys = new List<RedisKey>(1 + (2 * n)) { QueueKeys.Jobs };
        keys.AddRange(jobs.Select(j => (RedisKey)QueueKeys.Job(j.Id)));
        keys.AddRange(jobs.Select(j => (RedisKey)QueueKeys.Image(j.Id)));
        var args = new List<RedisValue>(4 + (3 * n)) { QueueKeys.WorkersGroup, QueueKeys.JobEvents, NowMs(), n };
        args.AddRange(jobs.Select(j => (RedisValue)j.Id));
        args.AddRange(jobs.Select(j => (RedisValue)j.EntryId));
        foreach (var job in jobs)
        {
            Softmax(raw.Slice(job.Slot * classes * sizeof(float), classes * sizeof(float)), scores);
            var result = new JobResult(spec.Name, version, TopK(spec, scores, Math.Clamp(job.Top, 1, classes)),
                new JobTimings(Math.Round(job.PreprocessMs, 3), Math.Round(inferenceMs, 3), n));
            args.Add(JsonSerializer.Serialize(result, QueueJsonContext.Default.JobResult));
        }

        // Results and acknowledgements in one script: written first, acknowledged in the same atomic step.
        var written = await _db.ScriptEvaluateAsync(JobScripts.CompleteMany, [.. keys], [.. args]).ConfigureAwait(false);
        metrics.Processed.Add((long)written);
    }

    internal static void Softmax(ReadOnlySpan<byte> logits, Span<double> probabilities)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = BinaryPrimitives.ReadSingleLittleEndian(logits[(i * sizeof(float))..]);
            max = Math.Max(max, probabilities[i]);
        }

        var sum = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = Math.Exp(probabilities[i] - max);
            sum += probabilities[i];
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] /= sum;
        }
    }

    private static List<Prediction> TopK(ModelSpec spec, double[] scores, int k)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k);
        return [.. order.Select(i => new Prediction(spec.Label(i), i, Math.Round(scores[i], 6)))];
    }

    /// <summary>Exponential from <see cref="WorkerOptions.RetryBaseDelay"/>, capped by RetryMaxDelay, ±20 % jitter.</summary>
    private TimeSpan Backoff(int retry)
    {
        var capMs = _options.RetryMaxDelay.TotalMilliseconds;
        var baseMs = Math.Min(_options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 20)), capMs);
#pragma warning disable CA5394 // Jitter for retry spacing, not security.
        return TimeSpan.FromMilliseconds(baseMs * (0.8 + (Random.Shared.NextDouble() * 0.4)));
#pragma warning restore CA5394
    }

    private static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;

    private async Task FailAllAsync(IReadOnlyList<QueuedJob> jobs, string reason)
    {
        foreach (var job in jobs)
        {
            await FailAsync(job, reason).ConfigureAwait(false);
        }
    }

    /// <summary>Dead-letters the job (once: the script ignores a job already terminal), then acknowledges it.</summary>
    private async Task FailAsync(QueuedJob job, string reason)
    {
        var written = await _db.ScriptEvaluateAsync(
            JobScripts.Fail,
            [QueueKeys.Job(job.Id), QueueKeys.Image(job.Id), QueueKeys.DeadLetter],
            [reason, NowMs(), QueueKeys.JobEvents, job.Id, job.Model, state.Consumer]).ConfigureAwait(false);
        if ((long)written == 1)
        {
            metrics.Failed.Add(1);
            metrics.DeadLettered.Add(1);
            Log.JobDeadLettered(logger, job.Id, reason);
        }

        await AcknowledgeAsync([job.EntryId]).ConfigureAwait(false);
    }

    private async Task AcknowledgeAsync(List<string> entryIds)
    {
        var args = new List<RedisValue>(1 + entryIds.Count) { QueueKeys.WorkersGroup };
        args.AddRange(entryIds.Select(id => (RedisValue)id));
        await _db.ScriptEvaluateAsync(JobScripts.Acknowledge, [QueueKeys.Jobs], [.. args]).ConfigureAwait(false);
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
