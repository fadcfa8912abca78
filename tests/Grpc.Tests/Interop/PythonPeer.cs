using System.Diagnostics;
using System.Globalization;

namespace MlAspire.Grpc.Tests.Interop;

/// <summary>Runs Interop/interop.py with Debian's /usr/bin/python3 (grpcio, protobuf and grpc_tools).</summary>
internal sealed class PythonPeer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";
    private readonly Process _process;

    private PythonPeer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Interop", "interop.py");

    private static string Protos => Path.Combine(AppContext.BaseDirectory, "Protos");

    /// <summary>Starts the grpcio TestService server and waits for the port it printed.</summary>
    public static async Task<PythonPeer> StartServerAsync(CancellationToken cancellationToken)
    {
        var process = Start("server");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException("grpcio server exited: " + await process.StandardError.ReadToEndAsync(cancellationToken));
            return new PythonPeer(process, int.Parse(line.Trim(), CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs one grpcio client case; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunClientAsync(int port, string testCase,
        CancellationToken cancellationToken)
    {
        using var process = Start("client", port.ToString(CultureInfo.InvariantCulture), testCase);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("--protos");
        info.ArgumentList.Add(Protos);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Loopback only: never route the peer through a proxy from the environment.
        info.Environment["no_proxy"] = "*";
        info.Environment["NO_PROXY"] = "*";
        info.Environment.Remove("PYTHONPATH");
        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + Python);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // The server stops when stdin closes.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
