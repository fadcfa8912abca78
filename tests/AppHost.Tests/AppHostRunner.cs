using System.Diagnostics;

namespace MlAspire.AppHost.Tests;

/// <summary>Runs the real AppHost as a child process, as <c>dotnet run --project AppHost -- ...</c> does.</summary>
internal static class AppHostRunner
{
    public static string RepoRoot { get; } = MlAspire.Tests.Shared.RepoRoot.Find();

    public static string ReferenceFile(string name) => Path.Combine(AppContext.BaseDirectory, "Reference", name);

    /// <summary>Aspire's manifest publisher: <c>--publisher manifest --output-path &lt;file&gt;</c>.</summary>
    public static async Task PublishManifestAsync(string outputPath, params string[] extraArgs)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var (exitCode, stdout, stderr) = await RunAppHostAsync(RepoRoot, timeout.Token, ["--publisher", "manifest", "--output-path", outputPath, .. extraArgs]);
        Assert.True(exitCode == 0 && File.Exists(outputPath), $"manifest publishing failed ({exitCode}):\n{stdout}\n{stderr}");
    }

    /// <summary>A path at the repo root (so relative project paths match the committed manifest) that is deleted on dispose.</summary>
    public static TemporaryFile TemporaryManifestAtRoot() =>
        new(Path.Combine(RepoRoot, $"aspire-manifest.{Guid.NewGuid():N}.tmp.json"));

    /// <summary>The AppHost's own build output (with its deps.json and runtimeconfig), in this test assembly's
    /// configuration; the copy beside the tests runs against the test project's dependency graph instead.</summary>
    public static string AppHostAssembly { get; } =
        Path.Combine(RepoRoot, "AppHost", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "MlAspire.AppHost.dll");

    /// <summary>Runs the built AppHost with <c>dotnet</c>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAppHostAsync(string workingDirectory, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(AppHostAssembly);
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
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

        return (process.ExitCode, await stdout, await stderr);
    }
}
