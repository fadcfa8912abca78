using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace MlAspire.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, password-protected; without persistence, or with an append-only file
/// fsynced on every write (as the AppHost runs the queue's Redis), which survives <see cref="KillAsync"/> + <see cref="RestartAsync"/>.
/// </summary>
public sealed class TestRedis : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlaspire-gw-redis-").FullName;
    private Process? _process;

    private bool _appendOnly;

    public int Port { get; private set; }

    /// <summary>The server's process id (0 while it is not running).</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : 0;

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    /// <summary>A multiplexer for the test's own setup and inspection (admin commands allowed: CONFIG, FLUSHALL, SCRIPT).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");

    public static async Task<TestRedis> StartAsync(bool appendOnly = false)
    {
        var redis = new TestRedis { _appendOnly = appendOnly };
        for (var attempt = 0; ; attempt++)
        {
            redis.Port = Ports.Free();
            try
            {
                await redis.LaunchAsync();
                return redis;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>SIGKILL: every connection drops at once.</summary>
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

    /// <summary>Starts the server again on the same port and data folder (after <see cref="KillAsync"/>).</summary>
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

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo("redis-server") { WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] persistence = _appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        foreach (var arg in (string[])["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", .. persistence, "--requirepass", Password, "--dir", _directory])
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
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode}.");
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
