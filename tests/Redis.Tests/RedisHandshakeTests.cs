using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlAspire.Redis.Tests;

public sealed class RedisHandshakeTests
{
    [Fact]
    public async Task ServerWithoutHelloFallsBackToResp2WithAuthAndSelect()
    {
        var ct = TestTimeout.Token();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = new List<string>();

        // A Redis 5-like peer: HELLO is unknown, AUTH/SELECT/PING answer +OK/+PONG.
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(ct);
            var buffer = new byte[4096];
            var pending = new List<byte>();
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, ct);
                if (read == 0)
                {
                    return;
                }

                pending.AddRange(buffer.AsSpan(0, read));
                var sequence = new ReadOnlySequence<byte>(pending.ToArray());
                while (RespReader.TryRead(ref sequence, out var command))
                {
                    var words = command.Items.Select(i => i.AsString()).ToArray();
                    lock (received)
                    {
                        received.Add(string.Join(' ', words));
                    }

                    var reply = words[0] switch
                    {
                        "HELLO" => "-ERR unknown command 'HELLO'\r\n",
                        "PING" => "+PONG\r\n",
                        _ => "+OK\r\n",
                    };
                    await socket.SendAsync(Encoding.ASCII.GetBytes(reply), ct);
                }

                pending = [.. sequence.ToArray()];
            }
        }, ct);

        await using var client = await RedisClient.ConnectAsync($"127.0.0.1:{port},password=pw,defaultDatabase=2", ct);
        Assert.Equal(2, client.ProtocolVersion);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
        lock (received)
        {
            Assert.Equal(["HELLO 3 AUTH default pw", "AUTH pw", "SELECT 2", "PING"], received);
        }

        _ = serving;
    }
}
