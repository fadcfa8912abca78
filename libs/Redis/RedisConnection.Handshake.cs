using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MlAspire.Redis;

internal sealed partial class RedisConnection
{
    /// <summary>
    /// Opens a socket (and TLS when configured), then runs the handshake: <c>HELLO 3 [AUTH user pass] [SETNAME name]</c>,
    /// or on RESP2 / a server without HELLO, <c>AUTH</c> and <c>CLIENT SETNAME</c>; then <c>SELECT</c> when a database
    /// other than 0 is configured. Every failure surfaces as <see cref="RedisConnectionException"/>.
    /// </summary>
    public static async Task<RedisConnection> ConnectAsync(
        RedisEndpoint endpoint,
        RedisOptions options,
        bool isSubscriber,
        Action<RedisResult>? onPush,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Socket? socket = null;
        RedisConnection? connection = null;
        try
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = options.SslHost ?? endpoint.Host,
                        RemoteCertificateValidationCallback = options.CertificateValidation,
                    },
                    timeout.Token).ConfigureAwait(false);
            }

            connection = new RedisConnection(endpoint, socket, stream, isSubscriber, onPush, logger);
            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            await connection.HandshakeAsync(options, timeout.Token).ConfigureAwait(false);
            Log.Connected(logger, endpoint, connection.ProtocolVersion, isSubscriber ? "pub/sub" : "interactive");
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket?.Dispose();
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw ex switch
            {
                RedisConnectionException => ex,
                OperationCanceledException => new RedisConnectionException(
                    $"Connecting to {endpoint} did not complete within {options.ConnectTimeout.TotalMilliseconds} ms.", ex),
                RedisServerException server => new RedisConnectionException(
                    $"The handshake with {endpoint} failed: {server.Message}", ex),
                _ => new RedisConnectionException($"Connecting to {endpoint} failed: {ex.Message}", ex),
            };
        }
    }

    private async Task HandshakeAsync(RedisOptions options, CancellationToken cancellationToken)
    {
        var helloDone = false;
        if (options.Protocol == RedisProtocol.Resp3)
        {
            var args = new List<RedisValue> { 3 };
            if (options.Password is not null)
            {
                args.Add("AUTH");
                args.Add(options.User ?? "default");
                args.Add(options.Password);
            }

            if (options.ClientName is not null)
            {
                args.Add("SETNAME");
                args.Add(options.ClientName);
            }

            var hello = await SendForHandshakeAsync("HELLO", [.. args], cancellationToken).ConfigureAwait(false);
            if (!hello.IsError)
            {
                ProtocolVersion = ReadProtocolVersion(hello);
                helloDone = true;
            }
            else
            {
                var message = hello.AsString() ?? string.Empty;
                if (!message.StartsWith("NOPROTO", StringComparison.Ordinal) && !message.Contains("unknown command", StringComparison.OrdinalIgnoreCase))
                {
                    throw new RedisServerException(message);
                }

                Log.FellBackToResp2(_logger, Endpoint);
            }
        }

        if (!helloDone)
        {
            if (options.Password is not null)
            {
                RedisValue[] auth = options.User is null ? [options.Password] : [options.User, options.Password];
                ThrowIfError(await SendForHandshakeAsync("AUTH", auth, cancellationToken).ConfigureAwait(false));
            }

            if (options.ClientName is not null)
            {
                ThrowIfError(await SendForHandshakeAsync("CLIENT", ["SETNAME", options.ClientName], cancellationToken).ConfigureAwait(false));
            }
        }

        if (options.DefaultDatabase != 0)
        {
            ThrowIfError(await SendForHandshakeAsync("SELECT", [options.DefaultDatabase], cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task<RedisResult> SendForHandshakeAsync(string command, RedisValue[] args, CancellationToken cancellationToken)
    {
        var task = TrySend(command, args)
            ?? throw new RedisConnectionException($"The connection to {Endpoint} closed during the handshake.");
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int ReadProtocolVersion(RedisResult hello)
    {
        foreach (var (key, value) in hello.AsPairs())
        {
            if (key.AsString() == "proto")
            {
                return (int)value.AsInt64();
            }
        }

        return 3;
    }

    private static void ThrowIfError(RedisResult result)
    {
        if (result.IsError)
        {
            throw new RedisServerException(result.AsString() ?? "ERR");
        }
    }
}
