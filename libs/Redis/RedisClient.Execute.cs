using System.Diagnostics;

namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary>
    /// Sends any command (the escape hatch) and returns its reply. Arguments may be <see cref="RedisValue"/>, strings,
    /// byte arrays, <see cref="ReadOnlyMemory{T}"/> of bytes, integers or doubles. Error replies throw
    /// <see cref="RedisServerException"/>. Blocking commands belong on <see cref="ExecuteBlockingAsync"/>.
    /// </summary>
    public Task<RedisResult> ExecuteAsync(string command, params object[] args) =>
        ExecuteAsync(command, args, CancellationToken.None);

    /// <inheritdoc cref="ExecuteAsync(string, object[])"/>
    public Task<RedisResult> ExecuteAsync(string command, IReadOnlyList<object> args, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        return ExecuteCoreAsync(command, ToValues(args), TimeSpan.Zero, cancellationToken);
    }

    /// <summary>
    /// Sends a command that may block on the server (for example <c>BLMOVE</c>) on a dedicated connection, allowing
    /// <paramref name="blockTime"/> beyond the normal command timeout.
    /// </summary>
    public Task<RedisResult> ExecuteBlockingAsync(
        string command, IReadOnlyList<object> args, TimeSpan blockTime, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        return ExecuteOnDedicatedAsync(command, ToValues(args), blockTime, cancellationToken);
    }

    internal static RedisValue[] ToValues(IReadOnlyList<object> args)
    {
        var values = new RedisValue[args.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = args[i] switch
            {
                RedisValue v => v,
                string s => s,
                byte[] b => b,
                ReadOnlyMemory<byte> m => m,
                Memory<byte> m => (ReadOnlyMemory<byte>)m,
                int n => n,
                long n => n,
                double d => d,
                float f => (double)f,
                bool b => b ? 1 : 0,
                null => throw new ArgumentException($"Argument {i} is null.", nameof(args)),
                var other => throw new ArgumentException($"Argument {i} has unsupported type {other.GetType().Name}.", nameof(args)),
            };
        }

        return values;
    }

    internal async Task<RedisResult> ExecuteCoreAsync(string command, RedisValue[] args, TimeSpan extraTimeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = Options.CommandTimeout + extraTimeout;
        using var activity = TracingEnabled ? StartActivity(command) : null;
        try
        {
            while (true)
            {
                var connection = _connection;
                if (connection is not { IsConnected: true })
                {
                    connection = await WaitForConnectionAsync(connection, started, timeout, cancellationToken).ConfigureAwait(false);
                }

                var reply = connection.TrySend(command, args, started, Deadline(started, timeout));
                if (reply is null)
                {
                    continue;
                }

                var result = cancellationToken.CanBeCanceled
                    ? await reply.WaitAsync(cancellationToken).ConfigureAwait(false)
                    : await reply.ConfigureAwait(false);
                return Complete(command, result, started, activity);
            }
        }
        catch (Exception ex)
        {
            Fail(command, ex, activity);
            throw;
        }
    }

    /// <summary>
    /// A batch: commands queued here and written together by <see cref="RedisBatch.SendAsync"/>, in one socket write
    /// when the connection is idle. Use it to pipeline many independent commands from one caller.
    /// </summary>
    public RedisBatch CreateBatch() => new(this);

    internal async Task SendBatchAsync(RedisBatch batch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = Options.CommandTimeout;
        using var activity = TracingEnabled ? StartActivity("PIPELINE") : null;
        activity?.SetTag("db.operation.batch.size", batch.Count);
        var sent = false;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (!sent)
            {
                var connection = _connection;
                if (connection is not { IsConnected: true })
                {
                    connection = await WaitForConnectionAsync(connection, started, timeout, cancellationToken).ConfigureAwait(false);
                }

                sent = connection.TrySend(batch, started, Deadline(started, timeout));
            }

            batch.ReleaseBuffer();

            if (cancellationToken.CanBeCanceled)
            {
                await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await batch.Completion.ConfigureAwait(false);
            }

            activity?.SetStatus(ActivityStatusCode.Ok);
        }
        catch (Exception ex)
        {
            // Commands of a batch that was never written, or whose caller gave up, must not wait forever. (A failure
            // reported by the commands themselves changes nothing here: they all have their outcome already.)
            batch.Abandon(ex, cancellationToken);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private async Task<RedisResult> ExecuteOnDedicatedAsync(string command, RedisValue[] args, TimeSpan blockTime, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = Options.CommandTimeout + blockTime;
        using var activity = TracingEnabled ? StartActivity(command) : null;
        RedisConnection? connection = null;
        try
        {
            while (_idleBlocking.TryTake(out var idle))
            {
                if (idle.IsConnected)
                {
                    connection = idle;
                    break;
                }

                await idle.DisposeAsync().ConfigureAwait(false);
            }

            connection ??= await ConnectDedicatedAsync(cancellationToken).ConfigureAwait(false);
            var reply = connection.TrySend(command, args, started, Deadline(started, timeout))
                ?? throw new RedisConnectionException($"The blocking connection to {connection.Endpoint} closed.");
            var result = await reply.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!_disposed.IsCancellationRequested && _idleBlocking.Count < MaxIdleBlockingConnections)
            {
                _idleBlocking.Add(connection);
            }
            else
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            connection = null;
            return Complete(command, result, started, activity);
        }
        catch (Exception ex)
        {
            // A blocking command that was given up on still occupies its connection on the server: close it.
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            Fail(command, ex, activity);
            throw;
        }
    }

    private async Task<RedisConnection> ConnectDedicatedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        return await RedisConnection.ConnectAsync(CurrentEndpoint, Options, false, null, _logger, linked.Token).ConfigureAwait(false);
    }

    private async Task<RedisConnection> WaitForConnectionAsync(
        RedisConnection? stale, long started, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (stale is not null)
        {
            Detach(stale);
        }

        Task<RedisConnection> connected;
        lock (_stateLock)
        {
            connected = _connected.Task;
        }

        if (!connected.IsCompleted && Options.BacklogPolicy == BacklogPolicy.FailFast)
        {
            throw new RedisConnectionException($"Not connected to Redis ({CurrentEndpoint}); the command was not sent (backlogPolicy=failFast).");
        }

        var remaining = timeout - Stopwatch.GetElapsedTime(started);
        try
        {
            return await connected.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new RedisTimeoutException(
                $"No connection to Redis ({CurrentEndpoint}) within {timeout.TotalMilliseconds:0} ms; the command was not sent.", ex);
        }
    }

    private static long Deadline(long started, TimeSpan timeout) =>
        timeout >= TimeSpan.FromDays(1) ? long.MaxValue : started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    internal RedisResult Complete(string command, RedisResult result, long started, Activity? activity)
    {
        if (MetricsEnabled && (RedisTelemetry.Commands.Enabled || RedisTelemetry.Duration.Enabled))
        {
            var tags = new TagList { { "db.operation.name", command } };
            RedisTelemetry.Commands.Add(1, tags);
            RedisTelemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }

        if (result.IsError)
        {
            throw new RedisServerException(result.AsString() ?? "ERR");
        }

        activity?.SetStatus(ActivityStatusCode.Ok);
        return result;
    }

    internal void Fail(string command, Exception exception, Activity? activity)
    {
        if (MetricsEnabled)
        {
            RedisTelemetry.Errors.Add(1, new TagList { { "db.operation.name", command }, { "error.type", exception.GetType().Name } });
        }

        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
    }

    private Activity? StartActivity(string command)
    {
        if (!RedisTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = RedisTelemetry.ActivitySource.StartActivity(command, ActivityKind.Client);
        if (activity is not null)
        {
            var endpoint = CurrentEndpoint;
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", command);
            activity.SetTag("server.address", endpoint.Host);
            activity.SetTag("server.port", endpoint.Port);
        }

        return activity;
    }
}
