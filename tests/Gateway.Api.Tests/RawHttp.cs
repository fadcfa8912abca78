using System.Net.Sockets;
using System.Text;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>
/// HTTP/1.1 over a plain socket, for requests HttpClient will not send: bodies that trickle, end early or are
/// mis-framed. The request head should carry <c>Connection: close</c>; the response is read to the end of the stream
/// (bodies are expected to be ASCII, as ProblemDetails here are).
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/>, then lets <paramref name="sendBody"/> write the body (it gets the task that reads
    /// the response, to stop once the server has answered), and returns the response.
    /// </summary>
    public static async Task<RawHttpResponse> SendAsync(
        Uri server, string head, Func<Socket, Task, CancellationToken, Task> sendBody, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        var reading = ReadToEndAsync(socket, cancellationToken);
        try
        {
            await sendBody(socket, reading, cancellationToken);
        }
        catch (SocketException)
        {
            // The server answered and closed while the body was still being sent.
        }

        return Parse(await reading);
    }

    /// <summary>Sends one byte every <paramref name="interval"/> until the server answers (at most <paramref name="maxBytes"/>).</summary>
    public static Func<Socket, Task, CancellationToken, Task> Trickle(TimeSpan interval, int maxBytes) => async (socket, responded, cancellationToken) =>
    {
        for (var i = 0; i < maxBytes && !responded.IsCompleted; i++)
        {
            await socket.SendAsync(new byte[] { 0x89 }, cancellationToken);
            await Task.WhenAny(responded, Task.Delay(interval, cancellationToken));
        }
    };

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException ex) when (received.Length > 0 || ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset after the response: what arrived is the answer. A reset before any byte: nobody answered.
        }

        return received.ToArray();
    }

    private static RawHttpResponse Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return RawHttpResponse.NoResponse;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"No complete response head in '{text}'");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = text[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new RawHttpResponse(status, headers, body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0)
            {
                return body.ToString();
            }

            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
