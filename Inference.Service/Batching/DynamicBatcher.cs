using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// The per-model queue. Requests whose shapes agree past the batch dimension are concatenated along it, up to
/// <c>max_batch_size</c> rows, waiting at most <c>max_queue_delay_us</c> after the first for more to arrive (no wait
/// once a preferred batch size is reached and nothing else is queued); the batch runs once and the outputs are split
/// back. A full queue refuses at once; a request cancelled or past its deadline before its batch runs is dropped
/// without running. <c>instance_count</c> loops take batches concurrently.
/// </summary>
internal sealed partial class DynamicBatcher : IAsyncDisposable
{
    private const int MaxDeferred = 256;

    private readonly ModelDefinition _model;
    private readonly IModelExecutor _executor;
    private readonly InferenceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<PendingRequest> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _loops;
    private int _queued;

    public DynamicBatcher(ModelDefinition model, IModelExecutor executor, InferenceMetrics metrics, ILogger logger)
    {
        _model = model;
        _executor = executor;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleWriter = false });
        _loops = new Task[model.InstanceCount];
        for (var i = 0; i < _loops.Length; i++)
        {
            _loops[i] = Task.Run(RunLoopAsync);
        }
    }

    /// <summary>Requests queued and not yet taken into a batch.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <summary>Queues a request whose inputs were validated against the model; completes with every model output.</summary>
    public Task<IReadOnlyList<Tensor>> EnqueueAsync(IReadOnlyList<Tensor> inputs, int rows, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _queued) > _model.Batching.MaxQueueSize)
        {
            Interlocked.Decrement(ref _queued);
            throw new InferenceException(
                InferenceError.ResourceExhausted,
                $"The queue of model '{_model.Name}' is full ({_model.Batching.MaxQueueSize} requests); retry later.");
        }

        var request = new PendingRequest(inputs, rows, Stopwatch.GetTimestamp(), cancellationToken);
        _metrics.PendingChanged(_model.Name, _model.Version, 1);
        if (!_queue.Writer.TryWrite(request))
        {
            Interlocked.Decrement(ref _queued);
            _metrics.PendingChanged(_model.Name, _model.Version, -1);
            throw new InferenceException(InferenceError.Unavailable, $"Model '{_model.Name}' is shutting down.");
        }

        // The caller stops waiting at once; the loop drops the request when it reaches it.
        var registration = cancellationToken.Register(static state => ((PendingRequest)state!).TrySetCanceled(), request);
        request.Task.ContinueWith(
            static (_, state) => ((CancellationTokenRegistration)state!).Dispose(),
            registration,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return request.Task;
    }

    private async Task RunLoopAsync()
    {
        var deferred = new List<PendingRequest>();
        var batch = new List<PendingRequest>();
        var stopping = _stopping.Token;
        while (true)
        {
            batch.Clear();
            PendingRequest? first;
            try
            {
                first = TakeDeferred(deferred, key: null, room: int.MaxValue) ?? await ReadAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }

            if (first is null)
            {
                break;
            }

            if (first.IsDone)
            {
                Completed(first, success: false, "cancelled");
                continue;
            }

            batch.Add(first);
            var rows = first.Rows;
            if (_model.Batching.Enabled && _model.SupportsBatching)
            {
                rows = await FillAsync(batch, deferred, rows, stopping).ConfigureAwait(false);
            }

            await ExecuteAsync(batch, rows, stopping).ConfigureAwait(false);
        }

        foreach (var left in deferred)
        {
            left.TrySetException(new InferenceException(InferenceError.Unavailable, $"Model '{_model.Name}' is shutting down."));
            Completed(left, success: false, "unavailable");
        }
    }

    private async Task<int> FillAsync(List<PendingRequest> batch, List<PendingRequest> deferred, int rows, CancellationToken stopping)
    {
        var first = batch[0];
        var max = _model.MaxBatchSize;
        var waitUntil = Stopwatch.GetTimestamp() + (long)(_model.Batching.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
        while (rows < max)
        {
            var next = TakeDeferred(deferred, first.ShapeKey, max - rows) ?? TryRead();
            if (next is null)
            {
                if (_model.Batching.PreferredBatchSizes.Contains(rows))
                {
                    break;
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), waitUntil);
                if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(remaining, stopping).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (next.IsDone)
            {
                Completed(next, success: false, "cancelled");
                continue;
            }

            if (next.ShapeKey != first.ShapeKey || rows + next.Rows > max)
            {
                deferred.Add(next);
                if (deferred.Count >= MaxDeferred || rows + next.Rows > max && next.ShapeKey == first.ShapeKey)
                {
                    break;
                }

                continue;
            }

            batch.Add(next);
            rows += next.Rows;
        }

        return rows;
    }

    private async Task ExecuteAsync(List<PendingRequest> batch, int rows, CancellationToken stopping)
    {
        // Drop what was cancelled (or passed its deadline) while it waited: it must not cost a run.
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            if (batch[i].IsDone || batch[i].CancellationToken.IsCancellationRequested)
            {
                batch[i].TrySetCanceled(batch[i].CancellationToken);
                Completed(batch[i], success: false, "cancelled");
                rows -= batch[i].Rows;
                batch.RemoveAt(i);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var request in batch)
        {
            _metrics.Queued(_model.Name, _model.Version, Stopwatch.GetElapsedTime(request.EnqueuedAt, started));
        }

        IReadOnlyList<Tensor> outputs;
        byte[][]? pooled = null;
        try
        {
            var inputs = batch.Count == 1 ? batch[0].Inputs : Concatenate(batch, rows, out pooled);
            // A lone request may stop the run it owns; a shared run is stopped only by shutdown.
            using var linked = batch.Count == 1
                ? CancellationTokenSource.CreateLinkedTokenSource(stopping, batch[0].CancellationToken)
                : CancellationTokenSource.CreateLinkedTokenSource(stopping);
            outputs = await _executor.RunAsync(inputs, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            foreach (var request in batch)
            {
                request.TrySetCanceled(ex.CancellationToken);
                Completed(request, success: false, "cancelled");
            }

            return;
        }
        catch (Exception ex)
        {
            LogExecutionFailed(_logger, ex, _model.Name, batch.Count, rows);
            var failure = ex as InferenceException ??
                new InferenceException(InferenceError.Internal, $"Model '{_model.Name}' failed to run; see the server log.", ex);
            foreach (var request in batch)
            {
                request.TrySetException(failure);
                Completed(request, success: false, failure.Error.ToString());
            }

            return;
        }
        finally
        {
            // The run has finished with the concatenated inputs (outputs are the executor's own arrays).
            foreach (var buffer in pooled ?? [])
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        _metrics.Executed(_model.Name, _model.Version, rows, Stopwatch.GetElapsedTime(started));
        if (batch.Count == 1)
        {
            batch[0].TrySetResult(outputs);
            Completed(batch[0], success: true, null);
            return;
        }

        var offset = 0;
        foreach (var request in batch)
        {
            request.TrySetResult(Slice(outputs, rows, offset, request.Rows));
            Completed(request, success: true, null);
            offset += request.Rows;
        }
    }

    /// <summary>Each input's rows, request after request, in a buffer from the pool (<paramref name="pooled"/>: return them after the run).</summary>
    private static List<Tensor> Concatenate(List<PendingRequest> batch, int rows, out byte[][] pooled)
    {
        var inputCount = batch[0].Inputs.Count;
        var result = new List<Tensor>(inputCount);
        pooled = new byte[inputCount][];
        for (var i = 0; i < inputCount; i++)
        {
            var template = batch[0].Inputs[i];
            var total = batch.Sum(r => r.Inputs[i].Data.Length);
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
            pooled[i] = buffer;
            var data = buffer.AsMemory(0, total);
            var offset = 0;
            foreach (var request in batch)
            {
                request.Inputs[i].Data.Span.CopyTo(data.Span[offset..]);
                offset += request.Inputs[i].Data.Length;
            }

            var shape = (long[])template.Shape.Clone();
            shape[0] = rows;
            result.Add(template with { Shape = shape, Data = data });
        }

        return result;
    }

    private static List<Tensor> Slice(IReadOnlyList<Tensor> outputs, int rows, int offset, int count)
    {
        var result = new List<Tensor>(outputs.Count);
        foreach (var output in outputs)
        {
            if (output.Shape.Length == 0 || output.Shape[0] != rows)
            {
                throw new InvalidOperationException(
                    $"Output '{output.Name}' has shape [{string.Join(", ", output.Shape)}], not {rows} rows: it cannot be split.");
            }

            var rowBytes = output.Data.Length / rows;
            var shape = (long[])output.Shape.Clone();
            shape[0] = count;
            result.Add(output with { Shape = shape, Data = output.Data.Slice(offset * rowBytes, count * rowBytes) });
        }

        return result;
    }

    private static PendingRequest? TakeDeferred(List<PendingRequest> deferred, string? key, int room)
    {
        for (var i = 0; i < deferred.Count; i++)
        {
            var candidate = deferred[i];
            if (candidate.IsDone || key is null || candidate.ShapeKey == key && candidate.Rows <= room)
            {
                deferred.RemoveAt(i);
                return candidate;
            }
        }

        return null;
    }

    private PendingRequest? TryRead()
    {
        if (_queue.Reader.TryRead(out var request))
        {
            Interlocked.Decrement(ref _queued);
            return request;
        }

        return null;
    }

    private async ValueTask<PendingRequest?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (TryRead() is { } request)
            {
                return request;
            }
        }

        return null;
    }

    private async Task<bool> WaitForMoreAsync(TimeSpan timeout, CancellationToken stopping)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timer.CancelAfter(timeout);
        try
        {
            return await _queue.Reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Completed(PendingRequest request, bool success, string? reason)
    {
        _metrics.PendingChanged(_model.Name, _model.Version, -1);
        var elapsed = Stopwatch.GetElapsedTime(request.EnqueuedAt);
        if (success)
        {
            _metrics.RequestSucceeded(_model.Name, _model.Version, elapsed);
        }
        else
        {
            _metrics.RequestFailed(_model.Name, _model.Version, reason ?? "unknown");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        while (TryRead() is { } left)
        {
            left.TrySetException(new InferenceException(InferenceError.Unavailable, $"Model '{_model.Name}' is shutting down."));
            Completed(left, success: false, "unavailable");
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Model {Model} failed to run a batch of {Requests} requests ({Rows} rows)")]
    private static partial void LogExecutionFailed(ILogger logger, Exception exception, string model, int requests, int rows);
}
