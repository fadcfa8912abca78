using System.Collections.Concurrent;
using System.Diagnostics;
using MlAspire.Tests.Shared;

namespace MlAspire.EndToEnd.Tests;

/// <summary>One of the built services run as a real process (<c>dotnet MlAspire.X.dll</c>) with run-mode style environment.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly IReadOnlyCollection<string> _secrets;
    private int _leakedLines;

    private ServiceProcess(string name, Process process, IReadOnlyCollection<string> secrets)
    {
        Name = name;
        _process = process;
        _secrets = secrets;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>How many lines of its whole output (every line, not only the last ones kept) held one of the watched secrets.</summary>
    public int LeakedLines => Volatile.Read(ref _leakedLines);

    /// <summary>
    /// Peak resident set size so far (the kernel's VmHWM in <c>/proc/&lt;pid&gt;/status</c>), in bytes; read it before
    /// the process ends.
    /// </summary>
    public long PeakRssBytes() => ReadPeakRss(_process.Id);

    /// <summary>VmHWM of any process, in bytes (0 when it is gone).</summary>
    public static long ReadPeakRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>Starts <c>dotnet MlAspire.&lt;project&gt;.dll</c>; every output line is checked for <paramref name="secrets"/>.</summary>
    public static ServiceProcess Start(string project, string name, IReadOnlyDictionary<string, string> environment, IReadOnlyCollection<string>? secrets = null)
    {
        var dll = Path.Combine(RepoRoot.Find(), project, "bin", Configuration, "net10.0", $"MlAspire.{project}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing; build the solution (the test project references it).", dll);
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        var service = new ServiceProcess(name, process, secrets ?? []);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until <paramref name="healthUrl"/> answers 200.</summary>
    public async Task WaitHealthyAsync(string healthUrl, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync(healthUrl)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not healthy at {healthUrl} within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no graceful shutdown, nothing flushed, connections just drop.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal)))
        {
            Interlocked.Increment(ref _leakedLines);
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}
