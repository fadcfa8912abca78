using Microsoft.Extensions.Logging;

namespace MlAspire.Redis;

/// <summary>
/// Pub/sub over a dedicated connection. Subscriptions are remembered; after the connection drops it is re-established
/// with backoff and every channel and pattern is subscribed again, so messages published afterwards arrive.
/// Handlers run on the connection's read loop: keep them short, or use a reader subscription.
/// </summary>
public sealed class RedisSubscriber : IAsyncDisposable
{
    private readonly RedisClient _client;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<RedisSubscription>> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RedisSubscription>> _patterns = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private RedisConnection? _connection;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _connecting;
    private Task _connectLoop = Task.CompletedTask;

    internal RedisSubscriber(RedisClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>True while the pub/sub connection is up.</summary>
    public bool IsConnected => _connection?.IsConnected == true;

    /// <summary>Subscribes to <paramref name="channel"/>; <paramref name="handler"/> gets every message.</summary>
    public Task<RedisSubscription> SubscribeAsync(string channel, Action<RedisChannelMessage> handler, CancellationToken cancellationToken = default) =>
        AddAsync(channel, false, handler ?? throw new ArgumentNullException(nameof(handler)), cancellationToken);

    /// <summary>Subscribes to <paramref name="channel"/>; read messages from <see cref="RedisSubscription.Reader"/>.</summary>
    public Task<RedisSubscription> SubscribeAsync(string channel, CancellationToken cancellationToken = default) =>
        AddAsync(channel, false, null, cancellationToken);

    /// <summary><c>PSUBSCRIBE pattern</c> with a handler.</summary>
    public Task<RedisSubscription> PatternSubscribeAsync(string pattern, Action<RedisChannelMessage> handler, CancellationToken cancellationToken = default) =>
        AddAsync(pattern, true, handler ?? throw new ArgumentNullException(nameof(handler)), cancellationToken);

    /// <summary><c>PSUBSCRIBE pattern</c>; read messages from <see cref="RedisSubscription.Reader"/>.</summary>
    public Task<RedisSubscription> PatternSubscribeAsync(string pattern, CancellationToken cancellationToken = default) =>
        AddAsync(pattern, true, null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            await _connectLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        RedisConnection? connection;
        lock (_lock)
        {
            connection = _connection;
            _connection = null;
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _ready.TrySetException(new ObjectDisposedException(nameof(RedisSubscriber)));
    }

    internal async Task UnsubscribeAsync(RedisSubscription subscription)
    {
        RedisConnection? connection;
        bool last;
        lock (_lock)
        {
            var map = subscription.IsPattern ? _patterns : _channels;
            last = map.TryGetValue(subscription.Channel, out var list) && list.Remove(subscription) && list.Count == 0;
            if (last)
            {
                map.Remove(subscription.Channel);
            }

            connection = _connection;
        }

        if (last && connection is { IsConnected: true } && !_disposed.IsCancellationRequested)
        {
            var reply = connection.TrySend(subscription.IsPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", [subscription.Channel]);
            if (reply is not null)
            {
                try
                {
                    await reply.WaitAsync(_client.Options.CommandTimeout).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // The connection dropped or is slow; the channel is no longer in the resubscribe set either way.
                }
            }
        }
    }

    private async Task<RedisSubscription> AddAsync(string channel, bool isPattern, Action<RedisChannelMessage>? handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var subscription = new RedisSubscription(this, channel, isPattern, handler);
        bool first;
        Task ready;
        lock (_lock)
        {
            var map = isPattern ? _patterns : _channels;
            if (!map.TryGetValue(channel, out var list))
            {
                map[channel] = list = [];
            }

            list.Add(subscription);
            first = list.Count == 1;
            ready = _ready.Task;
        }

        try
        {
            StartConnecting();
            await ready.WaitAsync(_client.Options.CommandTimeout + _client.Options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            var connection = _connection;
            if (first && connection is not null)
            {
                var reply = connection.TrySend(isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", [channel]);
                if (reply is not null)
                {
                    var result = await reply.WaitAsync(_client.Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                    if (result.IsError)
                    {
                        throw new RedisServerException(result.AsString() ?? "ERR");
                    }
                }

                // A null reply means the connection just dropped: the reconnect loop subscribes again.
            }

            return subscription;
        }
        catch (Exception ex)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            if (ex is TimeoutException)
            {
                throw new RedisTimeoutException($"Subscribing to '{channel}' did not complete in time.", ex);
            }

            throw;
        }
    }

    private void StartConnecting()
    {
        lock (_lock)
        {
            if (_connecting || _connection is { IsConnected: true } || _disposed.IsCancellationRequested)
            {
                return;
            }

            _connecting = true;
            _connectLoop = Task.Run(ConnectLoopAsync);
        }
    }

    private async Task ConnectLoopAsync()
    {
        var attempt = 0;
        try
        {
            while (!_disposed.IsCancellationRequested)
            {
                RedisConnection? connection = null;
                try
                {
                    connection = await RedisConnection.ConnectAsync(
                        _client.CurrentEndpoint, _client.Options, true, OnPush, _logger, _disposed.Token).ConfigureAwait(false);
                    var count = await ResubscribeAsync(connection).ConfigureAwait(false);
                    lock (_lock)
                    {
                        _connection = connection;
                        _connecting = false;
                        _ready.TrySetResult();
                    }

                    _ = connection.Closed.ContinueWith(
                        (_, state) => OnClosed((RedisConnection)state!), connection, CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    if (count > 0)
                    {
                        Log.Resubscribed(_logger, count);
                    }

                    return;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.ResubscribeFailed(_logger, ex);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                    }
                }

                await Task.Delay(Backoff.Delay(attempt++, _client.Options.MaxReconnectDelay), _disposed.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            lock (_lock)
            {
                _connecting = false;
            }
        }
    }

    private async Task<int> ResubscribeAsync(RedisConnection connection)
    {
        string[] channels, patterns;
        lock (_lock)
        {
            channels = [.. _channels.Keys];
            patterns = [.. _patterns.Keys];
        }

        var replies = new List<Task<RedisResult>>(channels.Length + patterns.Length);
        foreach (var channel in channels)
        {
            replies.Add(connection.TrySend("SUBSCRIBE", [channel]) ?? throw new RedisConnectionException("The pub/sub connection closed."));
        }

        foreach (var pattern in patterns)
        {
            replies.Add(connection.TrySend("PSUBSCRIBE", [pattern]) ?? throw new RedisConnectionException("The pub/sub connection closed."));
        }

        await Task.WhenAll(replies).WaitAsync(_client.Options.CommandTimeout, _disposed.Token).ConfigureAwait(false);
        return replies.Count;
    }

    private void OnClosed(RedisConnection connection)
    {
        lock (_lock)
        {
            if (_connection != connection)
            {
                return;
            }

            _connection = null;
            if (_ready.Task.IsCompleted)
            {
                _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        Log.ConnectionLost(_logger, connection.Endpoint, "pub/sub", connection.Closed.Result);
        StartConnecting();
    }

    private void OnPush(RedisResult frame)
    {
        var items = frame.ItemsArray;
        var isPattern = items.Length == 4;
        var key = items[1].AsString()!;
        var message = isPattern
            ? new RedisChannelMessage(items[2].AsString()!, items[3].AsRedisValue(), key)
            : new RedisChannelMessage(key, items[2].AsRedisValue());
        RedisSubscription[] targets;
        lock (_lock)
        {
            var map = isPattern ? _patterns : _channels;
            if (!map.TryGetValue(key, out var list))
            {
                return;
            }

            targets = [.. list];
        }

        foreach (var target in targets)
        {
            try
            {
                target.Deliver(message);
            }
#pragma warning disable CA1031 // A failing user handler must not take down the shared pub/sub connection.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, message.Channel, ex);
            }
        }
    }
}
