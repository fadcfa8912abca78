using System.Diagnostics;
using System.Globalization;
using MlAspire.Imaging;

// Single-thread image preprocessing throughput, each case against a baseline measured in the same run.
// Usage: dotnet run -c Release --project bench/Imaging.Bench -- <photo.jpg> <digit.png> [seconds-per-round] [rounds]
// bench/Imaging.Bench/run.sh generates the inputs with ImageMagick and runs this.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Imaging.Bench <photo.jpg> <digit.png> [seconds-per-round] [rounds]");
    return 2;
}

var jpeg = File.ReadAllBytes(args[0]);
var png = File.ReadAllBytes(args[1]);
var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1.0;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;

var imagenet = new PreprocessingSpec
{
    Width = 224, Height = 224, Channels = 3, Layout = TensorLayout.Nchw, Resize = ResizeMode.Bilinear,
    Scale = 1 / 255f, Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f],
};
var digits = new PreprocessingSpec
{
    Width = 28, Height = 28, Channels = 1, Layout = TensorLayout.Nchw, Resize = ResizeMode.Area,
    Scale = 1 / 255f, Mean = [0.1307f], Std = [0.3081f], Invert = true,
};
var jpegInfo = ImageProbe.Probe(jpeg);
var tensor = new float[imagenet.TensorLength];
var digitTensor = new float[digits.TensorLength];

var cases = new (string Name, Action Run)[]
{
    ($"jpeg {jpegInfo.Width}x{jpegInfo.Height} decode only (full size, RGB) [baseline]", () =>
    {
        using var image = ImageDecoder.Decode(jpeg, PixelFormat.Rgb24);
    }),
    ("jpeg decode only at decode-time scale (what Preprocess decodes)", () =>
    {
        using var image = ImageDecoder.Decode(jpeg, PixelFormat.Rgb24, ImageLimits.Default, 224, 224);
    }),
    ("jpeg full decode + resize 224x224 + normalize (no decode-time scaling)", () =>
    {
        using var image = ImageDecoder.Decode(jpeg, PixelFormat.Rgb24);
        ImagePreprocessor.ResizeAndNormalize(image.Pixels, image.Width, image.Height, imagenet, tensor);
    }),
    ("jpeg Preprocess -> 224x224x3 NCHW (decode-time scaling)", () => ImagePreprocessor.Preprocess(jpeg, imagenet, tensor, ImageLimits.Default)),
    ("png 28x28 decode only (gray) [baseline]", () =>
    {
        using var image = ImageDecoder.Decode(png, PixelFormat.Gray8);
    }),
    ("png Preprocess -> 28x28x1 NCHW", () => ImagePreprocessor.Preprocess(png, digits, digitTensor, ImageLimits.Default)),
    ("png header probe only", () => ImageProbe.Probe(png, ImageLimits.Default)),
};

foreach (var c in cases)
{
    Measure(c.Run, 0.5); // warm-up: JIT tiers, pools
}

var samples = cases.Select(_ => new List<double>()).ToArray();
for (var r = 0; r < rounds; r++)
{
    for (var i = 0; i < cases.Length; i++)
    {
        samples[i].Add(Measure(cases[i].Run, seconds));
    }
}

var medians = samples.Select(s => s.Order().ElementAt(s.Count / 2)).ToArray();
Console.WriteLine($"{"case",-76} {"images/s (median)",18} {"min",10} {"max",10}");
for (var i = 0; i < cases.Length; i++)
{
    Console.WriteLine($"{cases[i].Name,-76} {medians[i],18:F0} {samples[i].Min(),10:F0} {samples[i].Max(),10:F0}");
}

Console.WriteLine();
Console.WriteLine($"jpeg Preprocess / full-size decode only:        {medians[3] / medians[0]:F2}x");
Console.WriteLine($"jpeg Preprocess / full decode + resize:         {medians[3] / medians[2]:F2}x");
Console.WriteLine($"png  Preprocess / decode only:                  {medians[5] / medians[4]:F2}x");
Console.WriteLine($"png  header probe / decode only:                {medians[6] / medians[4]:F2}x");
Console.WriteLine($"jpeg scaled decode / full-size decode:          {medians[1] / medians[0]:F2}x");
return 0;

static double Measure(Action run, double seconds)
{
    var stopwatch = Stopwatch.StartNew();
    var count = 0;
    while (stopwatch.Elapsed.TotalSeconds < seconds)
    {
        run();
        count++;
    }

    return count / stopwatch.Elapsed.TotalSeconds;
}
