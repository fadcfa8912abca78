namespace MlAspire.Redis;

/// <summary>
/// Commands queued on the client side and written together, back to back in one socket write when the connection is
/// idle (what <c>redis-benchmark -P</c> does): one round trip and one wake-up for the whole batch instead of one per
/// command. Not a transaction: other callers' commands may run on the server before, after or between batches, never
/// inside one batch's run of commands on this connection, and each command succeeds or fails on its own.
/// Queue commands from one thread, then call <see cref="SendAsync"/> once. Create one with
/// <see cref="RedisClient.CreateBatch"/>.
/// </summary>
#pragma warning disable CA1001 // The pooled buffer goes back when the batch is sent or abandoned; an unsent batch's array is simply collected.
public sealed class RedisBatch
#pragma warning restore CA1001
{
    private readonly List<IBatchEntry> _entries = [];
    private readonly PooledBufferWriter _commands = new(256);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;
    private int _sent;
    private Exception? _firstFailure;

    internal RedisBatch(RedisClient client) => Client = client;

    /// <summary>How many commands are queued.</summary>
    public int Count => _entries.Count;

    internal RedisClient Client { get; }

    internal IReadOnlyList<IBatchEntry> Entries => _entries;

    /// <summary>The queued commands, encoded as they go on the wire (encoded when queued, copied when sent).</summary>
    internal ReadOnlySpan<byte> EncodedCommands => _commands.WrittenMemory.Span;

    /// <summary>Completes once every command has its outcome; faults with the first failure, if any.</summary>
    internal Task Completion => _completed.Task;

    /// <summary>Queues any command (see <see cref="RedisClient.ExecuteAsync(string, object[])"/>); its task completes with the raw reply.</summary>
    public Task<RedisResult> ExecuteAsync(string command, params object[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        return Add(command, RedisClient.ToValues(args), static r => r);
    }

    /// <summary>Queues <c>GET key</c>.</summary>
    public Task<RedisValue> StringGetAsync(string key) => Add("GET", [key], static r => r.AsRedisValue());

    /// <summary>Queues <c>SET key value [PX ms] [NX|XX]</c>; false when the condition prevented the write.</summary>
    public Task<bool> StringSetAsync(string key, RedisValue value, TimeSpan? expiry = null, SetCondition when = SetCondition.Always) =>
        Add("SET", RedisClient.SetArgs(key, value, expiry, when), static r => !r.IsNull);

    /// <summary>Queues <c>DEL key</c>; true when the key existed.</summary>
    public Task<bool> KeyDeleteAsync(string key) => Add("DEL", [key], static r => r.AsInt64() == 1);

    /// <summary>Queues <c>HSET key field value</c>; true when the field is new.</summary>
    public Task<bool> HashSetAsync(string key, RedisValue field, RedisValue value) =>
        Add("HSET", [key, field, value], static r => r.AsInt64() == 1);

    /// <summary>Queues <c>HGET key field</c>; the value, or null.</summary>
    public Task<RedisValue> HashGetAsync(string key, RedisValue field) => Add("HGET", [key, field], static r => r.AsRedisValue());

    /// <summary>
    /// Writes every queued command and completes once each has its outcome, so that afterwards every task this batch
    /// handed out is complete. Throws the first failure (a server error reply, a lost connection, a timeout) the way
    /// <see cref="Task.WhenAll(Task[])"/> does; each command's own task holds its own outcome. A batch is sent once.
    /// Cancelling after the write cancels the commands still waiting; their replies are consumed and dropped.
    /// </summary>
    public Task SendAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _sent, 1) != 0)
        {
            throw new InvalidOperationException("This batch was already sent; create a new one for more commands.");
        }

        if (_entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        _remaining = _entries.Count;
        return Client.SendBatchAsync(this, cancellationToken);
    }

    internal void OnEntryDone(Exception? failure)
    {
        if (failure is not null)
        {
            Interlocked.CompareExchange(ref _firstFailure, failure, null);
        }

        if (Interlocked.Decrement(ref _remaining) != 0)
        {
            return;
        }

        if (_firstFailure is null)
        {
            _completed.TrySetResult();
            return;
        }

        // The failure reaches whoever awaits the batch; the commands' own failed tasks need not be awaited as well.
        foreach (var entry in _entries)
        {
            entry.Observe();
        }

        _completed.TrySetException(_firstFailure);
    }

    /// <summary>Gives the encoding buffer back to the pool once the batch is written (or will never be).</summary>
    internal void ReleaseBuffer() => _commands.Dispose();

    /// <summary>Fails every command that has no outcome yet (the batch could not be written, or its caller gave up).</summary>
    internal void Abandon(Exception reason, CancellationToken cancellationToken)
    {
        foreach (var entry in _entries)
        {
            if (reason is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                entry.Cancel(cancellationToken);
            }
            else
            {
                entry.Fail(reason, observed: true);
            }
        }

        _ = _completed.Task.Exception; // the caller gets the reason itself
        ReleaseBuffer();
    }

    private Task<T> Add<T>(string command, ReadOnlySpan<RedisValue> args, Func<RedisResult, T> map)
    {
        if (Volatile.Read(ref _sent) != 0)
        {
            throw new InvalidOperationException("This batch was already sent; create a new one for more commands.");
        }

        RespWriter.WriteCommand(_commands, command, args);
        var entry = new BatchEntry<T>(this, command, map);
        _entries.Add(entry);
        return entry.Task;
    }
}
