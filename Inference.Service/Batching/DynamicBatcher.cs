using System.Buffers;
using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MlAspire.Inference.Service.Model;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// The per-model queue and its execution slots: <see cref="Instances"/> dedicated threads, each running one (possibly
/// batched) execution at a time over the model's shared session, so that executions run side by side. A slot takes
/// the oldest request, and with dynamic batching also the requests already queued whose shapes agree past the batch
/// dimension, up to <c>max_batch_size</c> rows, leaving an even share of the queue to the slots waiting for work.
/// With <c>max_queue_delay_us</c> 0 it never holds a request while it could run it: batches form only from what queued
/// while every slot was busy. A configured delay is the opt-in to wait up to it after the first request for company
/// (no wait once a preferred batch size is reached and nothing else is queued), for hardware where a bigger batch
/// costs about what a small one does. The batch runs once and the outputs are split back. A full queue refuses at once; a request cancelled or past its deadline before its batch runs is
/// dropped without running.
/// </summary>
internal sealed partial class DynamicBatcher : IAsyncDisposable
{
    private const int MaxDeferred = 256;

    private readonly ModelDefinition _model;
    private readonly IModelExecutor _executor;
    private readonly InferenceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _waitForCompany;
    private readonly bool _formBatches;
    private readonly ConcurrentQueue<PendingRequest> _queue = new();
    // Counts the requests in _queue that no slot has claimed yet: a slot claims one (Wait) before dequeuing it.
    private readonly SemaphoreSlim _available = new(0);
    private readonly Lock _closing = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource[] _slots;
    private bool _closed;
    private int _queued;
    private int _idle;

    /// <param name="formBatches">
    /// Whether requests are concatenated at all: the model has dynamic batching and a batch pays on this host (see
    /// <c>ModelRepository</c>); otherwise each execution runs one request.
    /// </param>
    public DynamicBatcher(
        ModelDefinition model, IModelExecutor executor, int instances, bool formBatches, InferenceMetrics metrics, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        _model = model;
        _executor = executor;
        _metrics = metrics;
        _logger = logger;
        _formBatches = formBatches && model.Batching.Enabled && model.SupportsBatching;
        _waitForCompany = model.Batching.MaxQueueDelay > TimeSpan.Zero;
        _slots = new TaskCompletionSource[instances];
        for (var i = 0; i < instances; i++)
        {
            var exited = _slots[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // A slot blocks in the model's run, so it gets its own thread rather than one of the thread pool's, which
            // Kestrel and the gRPC calls need (a 2-core host starts with 2 pool threads).
            var thread = new Thread(() => RunSlot(exited)) { IsBackground = true, Name = $"{model.Name} execution {i}" };
            thread.Start();
        }
    }

    /// <summary>Executions that run side by side.</summary>
    public int Instances => _slots.Length;

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
        lock (_closing)
        {
            if (_closed)
            {
                Interlocked.Decrement(ref _queued);
                _metrics.PendingChanged(_model.Name, _model.Version, -1);
                throw new InferenceException(InferenceError.Unavailable, $"Model '{_model.Name}' is shutting down.");
            }

            _queue.Enqueue(request);
        }

        _available.Release();

        // The caller stops waiting at once; the slot drops the request when it reaches it.
        var registration = cancellationToken.Register(static state => ((PendingRequest)state!).TrySetCanceled(), request);
        request.Task.ContinueWith(
            static (_, state) => ((CancellationTokenRegistration)state!).Dispose(),
            registration,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return request.Task;
    }

    private void RunSlot(TaskCompletionSource exited)
    {
        var deferred = new List<PendingRequest>();
        var batch = new List<PendingRequest>();
        var stopping = _stopping.Token;
        try
        {
            while (true)
            {
                batch.Clear();
                var first = TakeDeferred(deferred, key: null, room: int.MaxValue) ?? Take(stopping);
                if (first.IsDone)
                {
                    Completed(first, success: false, "cancelled");
                    continue;
                }

                batch.Add(first);
                var rows = first.Rows;
                if (_formBatches)
                {
                    rows = Fill(batch, deferred, rows, stopping);
                }

                Execute(batch, rows, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            foreach (var left in deferred)
            {
                left.TrySetException(new InferenceException(InferenceError.Unavailable, $"Model '{_model.Name}' is shutting down."));
                Completed(left, success: false, "unavailable");
            }

            exited.TrySetResult();
        }
    }

    private int Fill(List<PendingRequest> batch, List<PendingRequest> deferred, int rows, CancellationToken stopping)
    {
        var first = batch[0];
        var max = _model.MaxBatchSize;
        // Slots waiting for work get an even share of what is queued: those requests then run beside this batch
        // rather than after it inside it.
        var idle = Volatile.Read(ref _idle);
        var share = idle == 0 ? int.MaxValue : Math.Max(1, (Volatile.Read(ref _queued) + 1 + idle) / (idle + 1));
        var waitUntil = Stopwatch.GetTimestamp() + (long)(_model.Batching.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
        while (rows < max && batch.Count < share)
        {
            var next = TakeDeferred(deferred, first.ShapeKey, max - rows) ?? TryTake(TimeSpan.Zero, stopping);
            if (next is null)
            {
                if (!_waitForCompany || _model.Batching.PreferredBatchSizes.Contains(rows))
                {
                    break;
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), waitUntil);
                if (remaining <= TimeSpan.Zero || (next = TryTake(remaining, stopping)) is null)
                {
                    break;
                }
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

    private void Execute(List<PendingRequest> batch, int rows, CancellationToken stopping)
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
            // The slot's own thread waits for the run (ONNX Runtime's Run is synchronous anyway).
            outputs = _executor.RunAsync(inputs, linked.Token).GetAwaiter().GetResult();
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

    /// <summary>Blocks until a request is queued (counting this slot as waiting for work meanwhile).</summary>
    private PendingRequest Take(CancellationToken stopping)
    {
        Interlocked.Increment(ref _idle);
        try
        {
            _available.Wait(stopping);
        }
        finally
        {
            Interlocked.Decrement(ref _idle);
        }

        return Dequeue();
    }

    private PendingRequest? TryTake(TimeSpan timeout, CancellationToken stopping) =>
        _available.Wait(timeout, stopping) ? Dequeue() : null;

    private PendingRequest Dequeue()
    {
        // The semaphore's count never exceeds what the queue holds (each request is queued before its Release).
        if (!_queue.TryDequeue(out var request))
        {
            throw new InvalidOperationException("The batch queue lost a request it had counted.");
        }

        Interlocked.Decrement(ref _queued);
        return request;
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
        lock (_closing)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_slots.Select(s => s.Task)).ConfigureAwait(false);
        while (_queue.TryDequeue(out var left))
        {
            Interlocked.Decrement(ref _queued);
            left.TrySetException(new InferenceException(InferenceError.Unavailable, $"Model '{_model.Name}' is shutting down."));
            Completed(left, success: false, "unavailable");
        }

        _stopping.Dispose();
        _available.Dispose();
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Model {Model} failed to run a batch of {Requests} requests ({Rows} rows)")]
    private static partial void LogExecutionFailed(ILogger logger, Exception exception, string model, int requests, int rows);
}
