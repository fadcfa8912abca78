using System.Diagnostics;
using MlAspire.Imaging.Tests.Infrastructure;
using MlAspire.Tests.Shared;
using Xunit.Abstractions;

namespace MlAspire.Imaging.Tests;

/// <summary>
/// Bounded fuzzing: random bytes and mutations (bit flips, byte overwrites, truncations, spliced segments) of the
/// generated corpus, fed to the probe, the decoder and the whole preprocessor. The only acceptable failure is
/// <see cref="ImageDecodeException"/>; another exception fails the test, a native crash kills the run, and each
/// phase stops after a fixed number of iterations or a few seconds, whichever comes first. The seed is fixed, so a
/// failure reproduces.
/// </summary>
[Collection(TestImagesCollection.Name)]
public sealed class ImageDecoderFuzzTests(TestImages images, ITestOutputHelper output)
{
    private const int MaxIterations = 20_000;
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(5);

    // Small limits keep each attempt cheap even when a mutation inflates the declared size.
    private static readonly ImageLimits s_limits = new() { MaxWidth = 2048, MaxHeight = 2048, MaxPixels = 1_000_000 };

    private static readonly PreprocessingSpec s_spec = new()
    {
        Width = 16, Height = 16, Channels = 3, Scale = 1 / 255f, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f],
    };

    [Fact]
    public void MutatedJpegAndPngOnlyEverFailWithImageDecodeException()
    {
        var seeds = images.Names.Select(images.Bytes).ToArray();
        var random = new Random(20261122);
        var stopwatch = Stopwatch.StartNew();
        int iterations = 0, decoded = 0, rejected = 0;
        while (iterations < MaxIterations && stopwatch.Elapsed < s_budget)
        {
            var input = Mutate(seeds[random.Next(seeds.Length)], random);
            if (Attempt(input, iterations))
            {
                decoded++;
            }
            else
            {
                rejected++;
            }

            iterations++;
        }

        output.WriteLine($"{iterations} mutated inputs in {stopwatch.Elapsed.TotalSeconds:F1} s: {decoded} decoded, {rejected} rejected.");
        Assert.True(iterations > 0);
        Assert.True(rejected > 0, "mutations should break at least some images");
    }

    [Fact]
    public void RandomBytesBehindJpegOrPngMagicOnlyEverFailWithImageDecodeException()
    {
        var random = new Random(7);
        var stopwatch = Stopwatch.StartNew();
        var iterations = 0;
        while (iterations < MaxIterations && stopwatch.Elapsed < s_budget)
        {
            var input = new byte[random.Next(0, 512)];
            random.NextBytes(input);
            switch (iterations % 3)
            {
                case 0 when input.Length >= 3:
                    input[0] = 0xFF;
                    input[1] = 0xD8;
                    input[2] = 0xFF;
                    break;
                case 1 when input.Length >= 8:
                    PngBuilder.Signature.CopyTo(input, 0);
                    break;
            }

            Assert.False(Attempt(input, iterations), "random bytes should never decode");
            iterations++;
        }

        output.WriteLine($"{iterations} random inputs in {stopwatch.Elapsed.TotalSeconds:F1} s.");
    }

    private static bool Attempt(byte[] input, int iteration)
    {
        try
        {
            ImageProbe.TryProbe(input, out _);
            var format = (iteration & 1) == 0 ? PixelFormat.Rgb24 : PixelFormat.Gray8;
            using (ImageDecoder.Decode(input, format, s_limits, 8 * (iteration & 3), 8 * (iteration & 3)))
            {
            }

            var tensor = new float[s_spec.TensorLength];
            ImagePreprocessor.Preprocess(input, s_spec, tensor, s_limits);
            Assert.All(tensor, v => Assert.True(float.IsFinite(v)));
            return true;
        }
        catch (ImageDecodeException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"Iteration {iteration}: {e.GetType().Name} instead of ImageDecodeException: {e}\nInput: {Convert.ToBase64String(input)}");
            return false;
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        switch (random.Next(5))
        {
            case 0: // bit flips
                return ByteMutations.FlipBits(data, random, maxFlips: 8);
            case 1: // random bytes overwritten, biased towards the header
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    data[random.Next(Math.Min(data.Length, random.Next(2) == 0 ? 200 : data.Length))] = (byte)random.Next(256);
                }

                return data;
            case 2: // truncation
                return ByteMutations.Truncate(data, random);
            case 3: // a segment duplicated elsewhere
                return ByteMutations.DuplicateSegment(data, random, maxLength: 64, mayAppend: false);

            default: // a run of 0xFF (marker-like) or 0x00 bytes
            {
                var at = random.Next(data.Length);
                var fill = random.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                data.AsSpan(at, Math.Min(random.Next(1, 16), data.Length - at)).Fill(fill);
                return data;
            }
        }
    }
}
