using System.Diagnostics;

namespace MlAspire.Redis;

internal sealed partial class RedisConnection
{
    private static readonly TimeSpan s_sweepPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Fails commands whose deadline passed, oldest first. One timer per connection instead of one per command; the
    /// timed-out entries stay queued so their replies are still consumed in order.
    /// </summary>
    private void SweepTimeouts()
    {
        var now = Stopwatch.GetTimestamp();

        // Deadlines grow along the queue, so nothing is due unless the oldest entry is. (Enumerating a
        // ConcurrentQueue pins its segments, so it is done only then.)
        if (!_pending.TryPeek(out var oldest) || now < oldest.Deadline)
        {
            return;
        }

        foreach (var pending in _pending)
        {
            if (pending.IsDone)
            {
                continue;
            }

            if (!pending.TryExpire(now))
            {
                break;
            }
        }
    }

    /// <summary>
    /// Queues a command. Returns null when the connection is already closed (the command was not sent, so the caller
    /// may safely send it elsewhere). The first caller to find the writer idle becomes the writer and flushes
    /// everything queued meanwhile in one socket write.
    /// </summary>
    public Task<RedisResult>? TrySend(string command, ReadOnlySpan<RedisValue> args, long started = 0, long deadline = long.MaxValue)
    {
        var pending = new PendingReply(command, started, deadline);
        bool flushInline;
        lock (_writeLock)
        {
            if (_isClosed)
            {
                return null;
            }

            // With nothing else in flight there is nothing to coalesce with: write now, for the lowest latency.
            flushInline = _pending.IsEmpty;
            RespWriter.WriteCommand(_buffer, command, args);
            _pending.Enqueue(pending);
            if (_writing)
            {
                return pending.Task;
            }

            _writing = true;
        }

        StartFlush(flushInline);
        return pending.Task;
    }

    /// <summary>
    /// Queues every command of a batch back to back, all or none: false when the connection is already closed (nothing
    /// was sent). With the writer idle the whole batch leaves in one socket write from the calling thread.
    /// </summary>
    public bool TrySend(RedisBatch batch, long started, long deadline)
    {
        bool flushInline;
        lock (_writeLock)
        {
            if (_isClosed)
            {
                return false;
            }

            flushInline = _pending.IsEmpty;
            var encoded = batch.EncodedCommands;
            encoded.CopyTo(_buffer.GetSpan(encoded.Length));
            _buffer.Advance(encoded.Length);
            foreach (var entry in batch.Entries)
            {
                entry.Arm(started, deadline);
                _pending.Enqueue(entry);
            }

            if (_writing)
            {
                return true;
            }

            _writing = true;
        }

        StartFlush(flushInline);
        return true;
    }

    private void StartFlush(bool flushInline)
    {
        if (flushInline)
        {
            _ = FlushLoopAsync();
        }
        else
        {
            // Under load, flush from the thread pool: callers woken by the same batch of replies queue their
            // commands first, so one socket write carries them all.
            ThreadPool.UnsafeQueueUserWorkItem(static self => _ = self.FlushLoopAsync(), this, preferLocal: false);
        }
    }

    private async Task FlushLoopAsync()
    {
        try
        {
            while (true)
            {
                PooledBufferWriter batch;
                lock (_writeLock)
                {
                    if (_buffer.WrittenCount == 0 || _isClosed)
                    {
                        _writing = false;
                        if (_isClosed)
                        {
                            _buffer.Dispose();
                            _spare.Dispose();
                        }

                        return;
                    }

                    batch = _buffer;
                    _buffer = _spare;
                    _spare = batch;
                }

                await _stream.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                if (_stream is System.Net.Security.SslStream)
                {
                    await _stream.FlushAsync().ConfigureAwait(false);
                }

                batch.Reset();
            }
        }
#pragma warning disable CA1031 // Whatever stops the writer must close the connection and fail the waiting commands.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_writeLock)
            {
                _writing = false;
            }

            Close(new RedisConnectionException($"Writing to {Endpoint} failed: {ex.Message}", ex));
        }
    }
}
