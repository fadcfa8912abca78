using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MlAspire.Redis;

/// <summary>
/// One physical connection to one server. Commands from any number of callers are appended to a shared write buffer
/// and flushed together (coalesced writes); replies are matched to callers strictly in order. Any I/O or protocol
/// failure closes the connection and fails every command still waiting, so no reply can reach the wrong caller.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly ILogger _logger;
    private readonly Action<RedisResult>? _onPush;
    private readonly ConcurrentQueue<IPendingReply> _pending = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _writeLock = new();
    private PooledBufferWriter _buffer = new();
    private PooledBufferWriter _spare = new();
    private bool _writing;
    private volatile bool _isClosed;
    private Task _readLoop = Task.CompletedTask;
    private readonly Timer _sweep;

    private RedisConnection(
        RedisEndpoint endpoint, Socket socket, Stream stream, bool isSubscriber, Action<RedisResult>? onPush, ILogger logger)
    {
        _sweep = new Timer(static self => ((RedisConnection)self!).SweepTimeouts(), this, s_sweepPeriod, s_sweepPeriod);
        Endpoint = endpoint;
        _socket = socket;
        _stream = stream;
        IsSubscriber = isSubscriber;
        _onPush = onPush;
        _logger = logger;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
    }

    public RedisEndpoint Endpoint { get; }

    /// <summary>2 or 3, as agreed in the handshake.</summary>
    public int ProtocolVersion { get; private set; } = 2;

    public bool IsSubscriber { get; }

    public bool IsConnected => !_isClosed;

    /// <summary>Completes (with the reason) once the connection is closed for any reason.</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>Number of commands written whose replies have not arrived yet.</summary>
    public int PendingCount => _pending.Count;

    public ValueTask DisposeAsync()
    {
        Close(new RedisConnectionException($"The connection to {Endpoint} was closed by the client."));
        return new ValueTask(_readLoop.ContinueWith(static _ => { }, TaskScheduler.Default));
    }

    /// <summary>
    /// Closes the connection: every command still waiting fails (the one whose reply was malformed gets the
    /// <see cref="RedisProtocolException"/> itself, the rest a <see cref="RedisConnectionException"/>).
    /// </summary>
    internal void Close(Exception reason)
    {
        lock (_writeLock)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
        }

        _sweep.Dispose();

        var connectionError = reason as RedisConnectionException
            ?? new RedisConnectionException($"The connection to {Endpoint} was lost: {reason.Message}", reason);
        var first = true;
        while (_pending.TryDequeue(out var pending))
        {
            // Callers that gave up (timeout, cancellation) no longer await this task; mark the failure observed.
            pending.Fail(first && reason is RedisProtocolException ? reason : connectionError, observed: true);
            first = false;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone; Dispose below releases it.
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
        _socket.Dispose();
        lock (_writeLock)
        {
            if (!_writing)
            {
                _buffer.Dispose();
                _spare.Dispose();
            }
        }

        _closed.TrySetResult(connectionError);
    }
}
