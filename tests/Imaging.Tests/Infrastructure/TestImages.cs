namespace MlAspire.Imaging.Tests.Infrastructure;

/// <summary>
/// A corpus generated with ImageMagick into a temporary folder when the tests start: every PNG colour type and bit
/// depth the brief lists and the common JPEG variants, each from the same deterministic plasma source.
/// </summary>
public sealed class TestImages : IDisposable
{
    private const string Size = "61x47"; // odd sizes exercise partial MCUs and chroma edges

    public TestImages()
    {
        Folder = Directory.CreateTempSubdirectory("mlaspire-imaging-").FullName;
        var source = System.IO.Path.Combine(Folder, "source.png");
        ImageMagick.Run("-seed", "7", "-size", Size, "plasma:fractal", "-depth", "16", source);
        var alphaRamp = new[] { "(", "-size", Size, "gradient:", ")", "-alpha", "off", "-compose", "CopyOpacity", "-composite" };
        var binaryAlpha = new[]
        {
            "(", "+clone", "-colorspace", "Gray", "-threshold", "50%", ")", "-alpha", "off", "-compose", "CopyOpacity", "-composite",
        };

        Add("png-gray8", [source, "-colorspace", "Gray", "-depth", "8", "-define", "png:color-type=0", "-define", "png:bit-depth=8"], "png");
        Add("png-gray4", [source, "-colorspace", "Gray", "-depth", "4", "-define", "png:color-type=0", "-define", "png:bit-depth=4"], "png");
        Add("png-gray16", [source, "-colorspace", "Gray", "-depth", "16", "-define", "png:color-type=0", "-define", "png:bit-depth=16"], "png");
        Add("png-gray-alpha8", [source, "-colorspace", "Gray", .. alphaRamp, "-depth", "8", "-define", "png:color-type=4", "-define", "png:bit-depth=8"], "png");
        Add("png-rgb8", [source, "-depth", "8", "-define", "png:color-type=2", "-define", "png:bit-depth=8"], "png");
        Add("png-rgb16", [source, "-depth", "16", "-define", "png:color-type=2", "-define", "png:bit-depth=16"], "png");
        Add("png-rgba8", [source, .. alphaRamp, "-depth", "8", "-define", "png:color-type=6", "-define", "png:bit-depth=8"], "png");
        Add("png-rgba16", [source, .. alphaRamp, "-depth", "16", "-define", "png:color-type=6", "-define", "png:bit-depth=16"], "png");
        Add("png-palette", [source, "-depth", "8", "-colors", "40", "-define", "png:color-type=3"], "png");
        Add("png-palette-trns", [source, "-depth", "8", "-colors", "16", .. binaryAlpha], "png", prefix: "PNG8:");
        Add("png-interlaced", [source, "-depth", "8", "-interlace", "PNG", "-define", "png:color-type=2"], "png");
        Add("png-interlaced16", [source, "-depth", "16", "-interlace", "PNG", "-define", "png:color-type=6", .. alphaRamp], "png");

        Add("jpeg-420", [source, "-depth", "8", "-quality", "90", "-sampling-factor", "2x2", "-interlace", "none"], "jpg");
        Add("jpeg-444", [source, "-depth", "8", "-quality", "90", "-sampling-factor", "1x1", "-interlace", "none"], "jpg");
        Add("jpeg-422", [source, "-depth", "8", "-quality", "90", "-sampling-factor", "2x1", "-interlace", "none"], "jpg");
        Add("jpeg-gray", [source, "-depth", "8", "-quality", "90", "-type", "Grayscale"], "jpg");
        Add("jpeg-progressive", [source, "-depth", "8", "-quality", "85", "-interlace", "JPEG"], "jpg");
        Add("jpeg-cmyk", [source, "-depth", "8", "-quality", "95", "-colorspace", "CMYK"], "jpg");

        // A 640x480 photo-like JPEG for decode-time scaling, and a 28x28 dark-on-light "digit".
        Add("jpeg-640x480", ["-seed", "11", "-size", "640x480", "plasma:fractal", "-depth", "8", "-quality", "90"], "jpg");
        Add("png-digit", ["-size", "28x28", "xc:white", "-fill", "black", "-draw", "rectangle 10,4 17,23", "-depth", "8", "-define", "png:color-type=0"], "png");
    }

    public string Folder { get; }

    public Dictionary<string, string> Paths { get; } = [];

    public string Path(string name) => Paths[name];

    public byte[] Bytes(string name) => File.ReadAllBytes(Paths[name]);

    public IEnumerable<string> Names => Paths.Keys;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private void Add(string name, string[] arguments, string extension, string prefix = "")
    {
        var path = System.IO.Path.Combine(Folder, $"{name}.{extension}");
        ImageMagick.Run([.. arguments, prefix + path]);
        Paths[name] = path;
    }
}
