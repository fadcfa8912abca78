using System.Diagnostics;
using System.Reflection;

namespace MlAspire.AppHost.Tests;

/// <summary>Runs the real AppHost entry point, in-process or as a child process.</summary>
internal static class AppHostRunner
{
    public static string RepoRoot { get; } = MlAspire.Tests.Shared.RepoRoot.Find();

    public static string ReferenceFile(string name) => Path.Combine(AppContext.BaseDirectory, "Reference", name);

    /// <summary>Publishes the manifest by calling the AppHost's <c>Main</c> with <c>--publisher manifest</c>.</summary>
    public static async Task PublishInProcessAsync(string outputPath, params string[] extraArgs)
    {
        var entryPoint = typeof(Program).Assembly.EntryPoint!;
        string[] args = ["--publisher", "manifest", "--output-path", outputPath, .. extraArgs];
        var result = entryPoint.Invoke(null, [args]);
        if (result is Task task)
        {
            await task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>A path at the repo root (so relative project paths match the committed manifest) that is deleted on dispose.</summary>
    public static TemporaryFile TemporaryManifestAtRoot() =>
        new(Path.Combine(RepoRoot, $"aspire-manifest.{Guid.NewGuid():N}.tmp.json"));

    /// <summary>Runs the built AppHost with <c>dotnet</c>, as <c>dotnet run --project AppHost -- ...</c> would.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAppHostAsync(string workingDirectory, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
