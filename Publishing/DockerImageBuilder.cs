using System.Diagnostics;

using Aspire.Hosting;
using Microsoft.Extensions.Logging;

namespace MlAspire.Publishing;

/// <summary>Builds, tags and pushes the project images with the Docker CLI, streaming its output line by line.</summary>
internal sealed class DockerImageBuilder(ContainerImageOptions options, ILogger logger)
{
    public async Task BuildAsync(DeployedResource resource, string contextDirectory, CancellationToken cancellationToken = default)
    {
        List<string> args = ["build", "--file", Path.Combine(contextDirectory, "docker", resource.Name, "Dockerfile"), "--tag", resource.ImageReference];
        foreach (var (key, value) in options.BuildArgs)
        {
            args.Add("--build-arg");
            args.Add($"{key}={value}");
        }

        args.Add(contextDirectory);
        await RunAsync(resource.Name, args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tags the built image as <c>&lt;registry&gt;/&lt;image&gt;:&lt;tag&gt;</c> and pushes it.</summary>
    public async Task PushAsync(DeployedResource resource, string registry, CancellationToken cancellationToken = default)
    {
        var remote = $"{registry}/{resource.ImageReference}";
        await RunAsync(resource.Name, ["tag", resource.ImageReference, remote], cancellationToken).ConfigureAwait(false);
        await RunAsync(resource.Name, ["push", remote], cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(string resourceName, List<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.DockerCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        Log.DockerCommand(logger, resourceName, string.Join(' ', args));
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new DistributedApplicationException($"Could not start '{options.DockerCommand}'.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new DistributedApplicationException(
                $"Could not run the Docker CLI '{options.DockerCommand}' ({ex.Message}); install Docker or set ContainerImages:DockerCommand.", ex);
        }

        using (process)
        {
            using var registration = cancellationToken.Register(() => TryKill(process));
            var tail = new Queue<string>();
            var stdout = PumpAsync(process.StandardOutput);
            var stderr = PumpAsync(process.StandardError);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                string lastLines;
                lock (tail)
                {
                    lastLines = string.Join('\n', tail);
                }

                throw new DistributedApplicationException(
                    $"'docker {args[0]}' for '{resourceName}' failed with exit code {process.ExitCode}:\n{lastLines}");
            }

            async Task PumpAsync(StreamReader reader)
            {
                while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
                {
                    Log.DockerOutput(logger, resourceName, line);
                    lock (tail)
                    {
                        tail.Enqueue(line);
                        if (tail.Count > 20)
                        {
                            tail.Dequeue();
                        }
                    }
                }
            }
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
