using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlAspire.Redis;

/// <summary>
/// A thread-safe Redis client. One multiplexed interactive connection carries every ordinary command (pipelined);
/// blocking commands (<c>BLPOP</c>, <c>XREADGROUP ... BLOCK</c>) run on dedicated pooled connections and pub/sub on its
/// own connection (<see cref="Subscriber"/>). Lost connections come back by themselves with jittered backoff.
/// </summary>
public sealed partial class RedisClient : IAsyncDisposable
{
    private const int MaxIdleBlockingConnections = 8;

    private readonly ILogger _logger;
    private readonly Lock _stateLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly ConcurrentBag<RedisConnection> _idleBlocking = [];
    private readonly Lazy<RedisSubscriber> _subscriber;
    private volatile RedisConnection? _connection;
    private TaskCompletionSource<RedisConnection> _connected = NewConnectedSource();
    private Task _connectLoop = Task.CompletedTask;
    private bool _connecting;
    private int _endpointIndex;

    private RedisClient(RedisOptions options, ILoggerFactory? loggerFactory)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("The options name no endpoint.", nameof(options));
        }

        Options = options;
        _logger = (ILogger?)loggerFactory?.CreateLogger<RedisClient>() ?? NullLogger.Instance;
        _subscriber = new Lazy<RedisSubscriber>(() => new RedisSubscriber(this, _logger), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public RedisOptions Options { get; }

    /// <summary>True while the interactive connection is up.</summary>
    public bool IsConnected => _connection?.IsConnected == true;

    /// <summary>The RESP version of the current interactive connection (2 or 3), or 0 while disconnected.</summary>
    public int ProtocolVersion => _connection is { IsConnected: true } c ? c.ProtocolVersion : 0;

    /// <summary>The pub/sub side of the client (its own connection, created on first use, resubscribed after reconnects).</summary>
    public RedisSubscriber Subscriber => _subscriber.Value;

    internal bool TracingEnabled { get; set; } = true;

    internal bool MetricsEnabled { get; set; } = true;

    internal ILogger Logger => _logger;

    internal CancellationToken DisposedToken => _disposed.Token;

    /// <summary>
    /// Connects and completes once the first server accepted the handshake. With <see cref="RedisOptions.AbortOnConnectFail"/>
    /// (the default) a failure throws <see cref="RedisConnectionException"/>; otherwise the client keeps trying in the background.
    /// </summary>
    public static async Task<RedisClient> ConnectAsync(RedisOptions options, CancellationToken cancellationToken = default) =>
        await ConnectAsync(options, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Parses <paramref name="connectionString"/> (see <see cref="RedisOptions.Parse"/>) and connects.</summary>
    public static Task<RedisClient> ConnectAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ConnectAsync(RedisOptions.Parse(connectionString), null, cancellationToken);

    /// <inheritdoc cref="ConnectAsync(RedisOptions, CancellationToken)"/>
    public static async Task<RedisClient> ConnectAsync(RedisOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken = default)
    {
        var client = new RedisClient(options, loggerFactory);
        if (!options.AbortOnConnectFail)
        {
            client.StartConnecting();
            return client;
        }

        Exception? last = null;
        foreach (var endpoint in options.Endpoints)
        {
            try
            {
                var connection = await RedisConnection.ConnectAsync(endpoint, options, false, null, client._logger, cancellationToken)
                    .ConfigureAwait(false);
                client.Attach(connection);
                return client;
            }
            catch (RedisConnectionException ex)
            {
                Log.ConnectFailed(client._logger, endpoint, ex);
                last = ex;
            }
        }

        await client.DisposeAsync().ConfigureAwait(false);
        throw new RedisConnectionException(
            $"No Redis server could be reached ({string.Join(", ", options.Endpoints)}): {last?.Message}", last);
    }

    /// <summary>Creates a client that connects in the background; commands wait for the connection (see <see cref="BacklogPolicy"/>).</summary>
    public static RedisClient Create(RedisOptions options, ILoggerFactory? loggerFactory = null)
    {
        var client = new RedisClient(options, loggerFactory);
        client.StartConnecting();
        return client;
    }

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

        if (_subscriber.IsValueCreated)
        {
            await _subscriber.Value.DisposeAsync().ConfigureAwait(false);
        }

        var connection = _connection;
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        while (_idleBlocking.TryTake(out var idle))
        {
            await idle.DisposeAsync().ConfigureAwait(false);
        }

        _connected.TrySetException(new ObjectDisposedException(nameof(RedisClient)));
    }

    /// <summary>The endpoint currently (or last) in use.</summary>
    internal RedisEndpoint CurrentEndpoint => _connection?.Endpoint ?? Options.Endpoints[Volatile.Read(ref _endpointIndex) % Options.Endpoints.Count];

    private static TaskCompletionSource<RedisConnection> NewConnectedSource() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Attach(RedisConnection connection)
    {
        lock (_stateLock)
        {
            _connecting = false;
            _connection = connection;
            _connected.TrySetResult(connection);
        }

        connection.Closed.ContinueWith(
            static (task, state) => ((RedisClient)state!).OnClosed(((Task<Exception>)task).Result),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnClosed(Exception reason)
    {
        var connection = _connection;
        if (connection is not null && !connection.IsConnected)
        {
            Log.ConnectionLost(_logger, connection.Endpoint, "interactive", reason);
            Detach(connection);
        }
    }

    /// <summary>Forgets a closed connection and starts reconnecting (idempotent).</summary>
    private void Detach(RedisConnection connection)
    {
        lock (_stateLock)
        {
            if (_connection != connection)
            {
                return;
            }

            _connection = null;
            if (_connected.Task.IsCompleted)
            {
                _connected = NewConnectedSource();
            }
        }

        StartConnecting();
    }

    private void StartConnecting()
    {
        lock (_stateLock)
        {
            if (_connecting || _disposed.IsCancellationRequested)
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
                var index = Volatile.Read(ref _endpointIndex);
                var endpoint = Options.Endpoints[index % Options.Endpoints.Count];
                try
                {
                    var connection = await RedisConnection.ConnectAsync(endpoint, Options, false, null, _logger, _disposed.Token)
                        .ConfigureAwait(false);
                    Attach(connection);
                    return;
                }
                catch (RedisConnectionException ex)
                {
                    Log.ConnectFailed(_logger, endpoint, ex);
                    Interlocked.Increment(ref _endpointIndex);
                }

                var delay = Backoff.Delay(attempt++, Options.MaxReconnectDelay);
                Log.ReconnectDelay(_logger, (long)delay.TotalMilliseconds, attempt);
                await Task.Delay(delay, _disposed.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            lock (_stateLock)
            {
                _connecting = false;
            }
        }
    }
}
