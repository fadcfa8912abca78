using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Healthy when Redis answers <c>AUTH</c> with <c>+OK</c> and <c>PING</c> with <c>+PONG</c> (RESP2 arrays of bulk strings).</summary>
internal sealed class RedisPingProbe(int port, string? password) : IHealthProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
            var request = new StringBuilder();
            var expectedReplies = 1;
            if (password is not null)
            {
                request.Append("*2\r\n$4\r\nAUTH\r\n$").Append(Encoding.UTF8.GetByteCount(password)).Append("\r\n").Append(password).Append("\r\n");
                expectedReplies++;
            }

            request.Append("*1\r\n$4\r\nPING\r\n");
            await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToString()), SocketFlags.None, timeout.Token).ConfigureAwait(false);

            var buffer = new byte[256];
            var received = 0;
            while (CountLines(buffer.AsSpan(0, received)) < expectedReplies)
            {
                if (received == buffer.Length)
                {
                    return "unexpected reply to PING";
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return "connection closed before PONG";
                }

                received += read;
            }

            var reply = Encoding.UTF8.GetString(buffer, 0, received);
            return reply.EndsWith("+PONG\r\n", StringComparison.Ordinal) && !reply.StartsWith('-')
                ? null
                : $"unexpected reply: {reply.Split("\r\n")[0]}";
        }
        catch (SocketException ex)
        {
            return $"cannot connect to port {port}: {ex.SocketErrorCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "PING timed out";
        }
    }

    private static int CountLines(ReadOnlySpan<byte> data)
    {
        var count = 0;
        for (var i = 1; i < data.Length; i++)
        {
            if (data[i] == '\n' && data[i - 1] == '\r')
            {
                count++;
            }
        }

        return count;
    }
}
