using System.Diagnostics;

namespace MlAspire.Imaging.Tests.Infrastructure;

/// <summary>Runs the real ImageMagick CLI (`convert`, or `magick` on ImageMagick 7) as generator and reference decoder.</summary>
public static class ImageMagick
{
    private static readonly Lazy<string[]> s_command = new(FindCommand);

    /// <summary>Runs ImageMagick with the arguments and returns its stdout bytes; throws with stderr on failure.</summary>
    public static byte[] Run(params string[] arguments)
    {
        var command = s_command.Value;
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        var stderr = process.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ImageMagick did not finish: {string.Join(' ', arguments)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"ImageMagick failed ({process.ExitCode}): {string.Join(' ', arguments)}\n{stderr.Result}");
        }

        return stdout.ToArray();
    }

    /// <summary>Reference decode: 8-bit raw pixels as ImageMagick exports them (`rgb:-` or `gray:-`).</summary>
    public static byte[] RawPixels(string path, PixelFormat format)
        => Run(path, "-depth", "8", format == PixelFormat.Gray8 ? "gray:-" : "rgb:-");

    private static string[] FindCommand()
    {
        foreach (var candidate in new[] { new[] { "magick" }, new[] { "convert" } })
        {
            try
            {
                var start = new ProcessStartInfo(candidate[0], "-version")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using var p = Process.Start(start);
                if (p is null)
                {
                    continue;
                }

                var text = p.StandardOutput.ReadToEnd();
                p.WaitForExit(10_000);
                if (p.ExitCode == 0 && text.Contains("ImageMagick", StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under this name
            }
        }

        throw new InvalidOperationException(
            "ImageMagick is required by these tests (Debian package imagemagick; eng/setup.sh installs it).");
    }
}
