using System.Runtime.InteropServices;
using MlAspire.Tests.Shared;

namespace MlAspire.Inference.Service.Tests;

/// <summary>The repository's digits model and its held-out, already-normalized test tensors.</summary>
internal static class TestModels
{
    public const int Pixels = 28 * 28;

    public static string DigitsDirectory => Path.Combine(RepoRoot.Models, "digits");

    /// <summary>Held-out digits: 784 normalized floats each (NCHW, one channel), and their labels.</summary>
    public static (float[][] Images, byte[] Labels) HeldOut()
    {
        var testdata = Path.Combine(DigitsDirectory, "testdata");
        var floats = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(testdata, "heldout.f32"))).ToArray();
        var labels = File.ReadAllBytes(Path.Combine(testdata, "heldout.labels"));
        var images = Enumerable.Range(0, labels.Length).Select(i => floats.AsSpan(i * Pixels, Pixels).ToArray()).ToArray();
        return (images, labels);
    }

    /// <summary>Copies a model folder (config, labels, versions) into <paramref name="repository"/>.</summary>
    public static string CopyModel(string source, string repository, string? name = null)
    {
        var target = Path.Combine(repository, name ?? Path.GetFileName(source));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("testdata", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }

        return target;
    }

    /// <summary>
    /// Copies the digits model into <paramref name="repository"/> as <paramref name="name"/>: the folder and the config's
    /// <c>name</c> both renamed, then <paramref name="edit"/> applied to the config's text. Throws when the committed
    /// config no longer has the name field this rewrites.
    /// </summary>
    public static string CopyDigitsAs(string repository, string name, Func<string, string>? edit = null)
    {
        var target = CopyModel(DigitsDirectory, repository, name);
        var config = Path.Combine(target, "config.json");
        var original = File.ReadAllText(config);
        var renamed = original.Replace("\"name\": \"digits\"", $"\"name\": \"{name}\"", StringComparison.Ordinal);
        if (renamed == original)
        {
            throw new InvalidOperationException("models/digits/config.json no longer has \"name\": \"digits\" to rename.");
        }

        File.WriteAllText(config, edit is null ? renamed : edit(renamed));
        return target;
    }
}
