using System.Net;
using System.Net.Sockets;

namespace MlAspire.Redis.Tests;

/// <summary>
/// A loopback TCP server that speaks just enough "RESP" to misbehave: every read from connection <c>n</c> (1-based) is
/// answered with <c>answer(n).Reply</c>, and the connection is closed after it when <c>answer(n).HangUp</c> is set.
/// </summary>
internal sealed class FakeRespServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, (byte[] Reply, bool HangUp)> _answer;
    private readonly Task _accepting;
    private int _connections;

    private FakeRespServer(Func<int, (byte[] Reply, bool HangUp)> answer)
    {
        _answer = answer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static FakeRespServer Start(Func<int, (byte[] Reply, bool HangUp)> answer) => new(answer);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket, Interlocked.Increment(ref _connections));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        using (socket)
        {
            var buffer = new byte[4096];
            try
            {
                while (await socket.ReceiveAsync(buffer, _stop.Token) > 0)
                {
                    var (reply, hangUp) = _answer(connection);
                    await socket.SendAsync(reply, _stop.Token);
                    if (hangUp)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // The client went away or the server stops.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
