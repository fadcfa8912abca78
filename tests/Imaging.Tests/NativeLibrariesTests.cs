using MlAspire.Imaging.Native;
using MlAspire.Imaging.Tests.Infrastructure;

namespace MlAspire.Imaging.Tests;

[Collection(TestImagesCollection.Name)]
public sealed class NativeLibrariesTests(TestImages images)
{
    [Fact]
    public void MissingLibraryFailsWithAMessageNamingThePackageToInstall()
    {
        var e = Assert.Throws<DllNotFoundException>(
            () => NativeLibraries.LoadFirst(["libmlaspire-does-not-exist.so.0"], "libturbojpeg0"));
        Assert.Contains("libmlaspire-does-not-exist.so.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("libturbojpeg0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheInstalledLibrariesLoad()
    {
        NativeLibraries.EnsureTurboJpeg();
        NativeLibraries.EnsureSpng();
        Assert.NotEqual(0, NativeLibraries.LoadFirst(["libturbojpeg.so.0"], "libturbojpeg0"));
        Assert.NotEqual(0, NativeLibraries.LoadFirst(["libspng.so.0"], "libspng0"));
    }

    [Fact]
    public async Task ConcurrentDecodesOnManyThreadsGiveIdenticalPixels()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var inputs = new[] { "jpeg-420", "jpeg-progressive", "png-rgb16", "png-interlaced" }.Select(images.Bytes).ToArray();
        var expected = inputs.Select(b =>
        {
            using var image = ImageDecoder.Decode(b, PixelFormat.Rgb24);
            return image.Pixels.ToArray();
        }).ToArray();

        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(
            () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    var k = (i + t) % inputs.Length;
                    using var image = ImageDecoder.Decode(inputs[k], PixelFormat.Rgb24);
                    Assert.True(image.Pixels.SequenceEqual(expected[k]));
                }
            },
            cts.Token));
        await Task.WhenAll(tasks).WaitAsync(cts.Token);
    }
}
