using System.Threading.Channels;

namespace MlAspire.Redis;

/// <summary>An active subscription to a channel or pattern. Dispose it to unsubscribe.</summary>
public sealed class RedisSubscription : IAsyncDisposable
{
    private readonly RedisSubscriber _owner;
    private readonly Action<RedisChannelMessage>? _handler;
    private readonly Channel<RedisChannelMessage>? _queue;
    private int _disposed;

    internal RedisSubscription(RedisSubscriber owner, string channel, bool isPattern, Action<RedisChannelMessage>? handler)
    {
        _owner = owner;
        Channel = channel;
        IsPattern = isPattern;
        _handler = handler;
        if (handler is null)
        {
            _queue = System.Threading.Channels.Channel.CreateUnbounded<RedisChannelMessage>(
                new UnboundedChannelOptions { SingleWriter = true, SingleReader = false });
        }
    }

    /// <summary>The channel name or pattern.</summary>
    public string Channel { get; }

    public bool IsPattern { get; }

    /// <summary>Messages, for subscriptions created without a handler. Completes when the subscription is disposed.</summary>
    public ChannelReader<RedisChannelMessage> Reader =>
        _queue?.Reader ?? throw new InvalidOperationException("This subscription delivers to a handler, not to a reader.");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue?.Writer.TryComplete();
            await _owner.UnsubscribeAsync(this).ConfigureAwait(false);
        }
    }

    internal void Deliver(RedisChannelMessage message)
    {
        if (_handler is not null)
        {
            _handler(message);
        }
        else
        {
            _queue!.Writer.TryWrite(message);
        }
    }
}
