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
                while (RespReader.TryRead(ref buffer, out var reply))
                {
                    Dispatch(reply);
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

    private void Dispatch(RedisResult reply)
    {
        if (reply.Type == RedisResultType.Push || (IsSubscriber && reply.Type == RedisResultType.Array))
        {
            var kind = PubSubKind(reply);
            if (kind is PubSubFrame.Message)
            {
                _onPush?.Invoke(reply);
                return;
            }

            if (reply.Type == RedisResultType.Push && kind is not PubSubFrame.Confirmation)
            {
                // Out-of-band data we do not use (for example client-side caching invalidations).
                return;
            }
        }

        if (!_pending.TryDequeue(out var pending))
        {
            if (_isClosed)
            {
                // Close() already failed every waiting command; what is left in the buffer no longer matters.
                return;
            }

            throw new RedisProtocolException($"The server sent a reply ({Describe(reply)}) while no command was waiting.");
        }

        pending.Deliver(reply);
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
