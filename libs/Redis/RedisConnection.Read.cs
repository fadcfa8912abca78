using System.Buffers;
using Microsoft.Extensions.Logging;

namespace MlAspire.Redis;

internal sealed partial class RedisConnection
{
    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                var read = await _reader.ReadAsync().ConfigureAwait(false);
                var buffer = read.Buffer;
                // A lone reply (the common case at low load) needs no batch: it gets a work item of its own.
                PendingReply? lone = null;
                RedisResult? loneReply = null;
                ReplyBatch? batch = null;
                try
                {
                    while (RespReader.TryRead(ref buffer, out var reply))
                    {
                        if (Dispatch(reply) is not { } pending)
                        {
                            continue;
                        }

                        if (lone is null && batch is null)
                        {
                            (lone, loneReply) = (pending, reply);
                            continue;
                        }

                        if (batch is null)
                        {
                            batch = new ReplyBatch();
                            batch.Add(lone!, loneReply!);
                            lone = null;
                        }

                        batch.Add(pending, reply);
                        if (batch.IsFull)
                        {
                            Deliver(batch);
                            batch = null;
                        }
                    }
                }
                finally
                {
                    // Matched replies are off the pending queue: they must be delivered even if a later one is malformed.
                    lone?.CompleteLater(loneReply!, preferLocal: true);
                    if (batch is not null)
                    {
                        Deliver(batch);
                    }
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    reason = buffer.IsEmpty
                        ? new RedisConnectionException($"The server {Endpoint} closed the connection.")
                        : new RedisProtocolException($"The server {Endpoint} closed the connection in the middle of a reply (truncated).");
                    break;
                }
            }
        }
        catch (RedisProtocolException ex)
        {
            Log.ProtocolError(_logger, Endpoint, ex);
            reason = ex;
        }
#pragma warning disable CA1031 // Whatever stops the read loop must close the connection and fail the waiting commands.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reason = ex;
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        Close(reason);
    }

    /// <summary>
    /// Queues one work item that completes the batch's commands in order (their continuations run there, not here).
    /// </summary>
    private void Deliver(ReplyBatch batch)
    {
        // Drop delivered batches here too, so they die young instead of waiting for the next sweep; only whoever holds
        // the sweep flag dequeues (when the sweep holds it, it does the same).
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
        {
            DropDeliveredBatches();
            Volatile.Write(ref _sweeping, 0);
        }

        _batches.Enqueue(batch);
        ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: true);

        // The sweep watches batches only while the connection is open; Close() rescues those it saw.
        if (_isClosed)
        {
            batch.Rescue();
        }
    }

    /// <summary>Routes pub/sub frames; returns the command a reply belongs to, or null when it belongs to none.</summary>
    private PendingReply? Dispatch(RedisResult reply)
    {
        if (reply.Type == RedisResultType.Push || (IsSubscriber && reply.Type == RedisResultType.Array))
        {
            var kind = PubSubKind(reply);
            if (kind is PubSubFrame.Message)
            {
                _onPush?.Invoke(reply);
                return null;
            }

            if (reply.Type == RedisResultType.Push && kind is not PubSubFrame.Confirmation)
            {
                // Out-of-band data we do not use (for example client-side caching invalidations).
                return null;
            }
        }

        if (!_pending.TryDequeue(out var pending))
        {
            if (_isClosed)
            {
                // Close() already failed every waiting command; what is left in the buffer no longer matters.
                return null;
            }

            throw new RedisProtocolException($"The server sent a reply ({Describe(reply)}) while no command was waiting.");
        }

        return pending;
    }

    private static string Describe(RedisResult reply) => reply.Type.ToString();

    private static PubSubFrame PubSubKind(RedisResult frame)
    {
        var items = frame.ItemsArray;
        if (items.Length < 3 || items[0].Type is not (RedisResultType.BulkString or RedisResultType.SimpleString))
        {
            return PubSubFrame.Other;
        }

        var name = items[0].RawBytes.Span;
        if (name.SequenceEqual("message"u8) || name.SequenceEqual("pmessage"u8) || name.SequenceEqual("smessage"u8))
        {
            return PubSubFrame.Message;
        }

        return name.SequenceEqual("subscribe"u8) || name.SequenceEqual("psubscribe"u8) || name.SequenceEqual("unsubscribe"u8)
            || name.SequenceEqual("punsubscribe"u8) || name.SequenceEqual("ssubscribe"u8) || name.SequenceEqual("sunsubscribe"u8)
            ? PubSubFrame.Confirmation
            : PubSubFrame.Other;
    }

    private enum PubSubFrame
    {
        Other,
        Message,
        Confirmation,
    }
}
