using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlAspire.Redis.Tests;

/// <summary>A real redis-server process on a free loopback port, in its own temp directory, without persistence.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Func<int, string[]> _extraArgs;
    private Process? _process;

    private RedisServer(Func<int, string[]> extraArgs)
    {
        _extraArgs = extraArgs;
        _directory = Directory.CreateTempSubdirectory("mlaspire-redis-").FullName;
    }

    public int Port { get; private set; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static Task<RedisServer> StartAsync(params string[] extraArgs) => StartAsync(_ => extraArgs);

    /// <summary>Starts a server whose extra arguments depend on the chosen port (for example <c>--tls-port</c>).</summary>
    public static async Task<RedisServer> StartAsync(Func<int, string[]> extraArgs)
    {
        var server = new RedisServer(extraArgs);
        for (var attempt = 0; ; attempt++)
        {
            server.Port = FreePort();
            try
            {
                await server.LaunchAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // The probed port was taken in the meantime; try another.
            }
        }
    }

    /// <summary>Kills the process abruptly (SIGKILL): connections drop without any goodbye.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port (data is gone: no persistence).</summary>
    public Task RestartAsync() => LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs(Port))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode} (port {Port} busy?).");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new InvalidOperationException("redis-server did not listen within 10 s.");
    }
}
