using MlAspire.Imaging.Tests.Infrastructure;

namespace MlAspire.Imaging.Tests;

[Collection(TestImagesCollection.Name)]
public sealed class ImagePreprocessorTests(TestImages images)
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [InlineData(ResizeMode.Area, 7, 5, 3, 2)]
    [InlineData(ResizeMode.Area, 3, 2, 7, 5)]
    [InlineData(ResizeMode.Area, 61, 47, 28, 28)]
    [InlineData(ResizeMode.Bilinear, 7, 5, 3, 2)]
    [InlineData(ResizeMode.Bilinear, 3, 2, 11, 13)]
    [InlineData(ResizeMode.Bilinear, 1, 1, 4, 4)]
    [InlineData(ResizeMode.Area, 1, 1, 4, 4)]
    [InlineData(ResizeMode.Area, 640, 480, 224, 224)]
    public void ConstantImageStaysConstant(ResizeMode mode, int width, int height, int outWidth, int outHeight)
    {
        var pixels = Enumerable.Repeat((byte)173, width * height * 3).ToArray();
        var tensor = Resize(pixels, width, height, 3, outWidth, outHeight, mode);
        Assert.All(tensor, v => Assert.Equal(173f, v, Tolerance));
    }

    [Fact]
    public void AreaOfTwoByTwoToOneByOneIsTheMean()
    {
        byte[] pixels = [10, 20, 30, 41];
        Assert.Equal([25.25f], Resize(pixels, 2, 2, 1, 1, 1, ResizeMode.Area), new FloatComparer());
    }

    [Fact]
    public void AreaWithWholePixelCoverageAveragesBlocks()
    {
        byte[] pixels = [0, 10, 20, 30, 100, 110, 120, 130];
        Assert.Equal([5f, 25f, 105f, 125f], Resize(pixels, 4, 2, 1, 2, 2, ResizeMode.Area), new FloatComparer());
        Assert.Equal([55f, 75f], Resize(pixels, 4, 2, 1, 2, 1, ResizeMode.Area), new FloatComparer());
    }

    [Fact]
    public void AreaWithFractionalCoverageWeighsPartlyCoveredPixels()
    {
        // 3 -> 2: each output covers 1.5 source pixels: [0, 1.5) and [1.5, 3).
        byte[] pixels = [30, 60, 90];
        float[] expected = [(30 + (0.5f * 60)) / 1.5f, ((0.5f * 60) + 90) / 1.5f];
        Assert.Equal(expected, Resize(pixels, 3, 1, 1, 2, 1, ResizeMode.Area), new FloatComparer());

        // 5 -> 2: [0, 2.5) and [2.5, 5).
        byte[] five = [0, 50, 100, 150, 200];
        Assert.Equal([(0 + 50 + 50) / 2.5f, (50 + 150 + 200) / 2.5f], Resize(five, 5, 1, 1, 2, 1, ResizeMode.Area), new FloatComparer());
    }

    [Fact]
    public void BilinearUpscalingUsesHalfPixelCentresAndClampsAtEdges()
    {
        // 2 -> 4: source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamp, 3:1, 1:3, clamp.
        byte[] pixels = [100, 200];
        float[] expected = [100, 125, 175, 200];
        Assert.Equal(expected, Resize(pixels, 2, 1, 1, 4, 1, ResizeMode.Bilinear), new FloatComparer());

        // Area falls back to bilinear when an axis grows.
        Assert.Equal(expected, Resize(pixels, 2, 1, 1, 4, 1, ResizeMode.Area), new FloatComparer());
    }

    [Fact]
    public void BilinearDownscalingSamplesBetweenPixelPairs()
    {
        // 4 -> 2: source x = 0.5 and 2.5.
        byte[] pixels = [0, 10, 20, 30];
        Assert.Equal([5f, 25f], Resize(pixels, 4, 1, 1, 2, 1, ResizeMode.Bilinear), new FloatComparer());

        // 3 -> 2: source x = 0.25 and 1.75.
        byte[] three = [0, 100, 200];
        Assert.Equal([25f, 175f], Resize(three, 3, 1, 1, 2, 1, ResizeMode.Bilinear), new FloatComparer());
    }

    [Fact]
    public void LinearGradientStaysLinearUnderBilinearUpscalingAwayFromTheEdges()
    {
        // Column x holds 20x; 10 -> 40 columns puts output i at source (i + 0.5) / 4 - 0.5.
        var pixels = new byte[10 * 3];
        for (var y = 0; y < 3; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                pixels[(y * 10) + x] = (byte)(20 * x);
            }
        }

        var tensor = Resize(pixels, 10, 3, 1, 40, 3, ResizeMode.Bilinear);
        for (var y = 0; y < 3; y++)
        {
            for (var i = 0; i < 40; i++)
            {
                var source = Math.Clamp(((i + 0.5) / 4) - 0.5, 0, 9);
                Assert.Equal((float)(20 * source), tensor[(y * 40) + i], Tolerance);
            }
        }
    }

    [Fact]
    public void VerticalAndHorizontalPassesCombine()
    {
        // 2x2 -> 4x4 bilinear equals the outer interpolation of rows and columns.
        byte[] pixels = [0, 100, 200, 40];
        var tensor = Resize(pixels, 2, 2, 1, 4, 4, ResizeMode.Bilinear);
        float[] w = [0, 0.25f, 0.75f, 1];
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                var top = (pixels[0] * (1 - w[x])) + (pixels[1] * w[x]);
                var bottom = (pixels[2] * (1 - w[x])) + (pixels[3] * w[x]);
                Assert.Equal((top * (1 - w[y])) + (bottom * w[y]), tensor[(y * 4) + x], Tolerance);
            }
        }
    }

    [Fact]
    public void NormalizationScalesThenSubtractsMeanThenDividesByStdPerChannel()
    {
        byte[] pixels = [200, 100, 50];
        var spec = Spec(1, 1, 3) with { Scale = 1 / 255f, Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f] };
        var tensor = new float[3];
        ImagePreprocessor.ResizeAndNormalize(pixels, 1, 1, spec, tensor);
        Assert.Equal(((200 / 255f) - 0.485f) / 0.229f, tensor[0], Tolerance);
        Assert.Equal(((100 / 255f) - 0.456f) / 0.224f, tensor[1], Tolerance);
        Assert.Equal(((50 / 255f) - 0.406f) / 0.225f, tensor[2], Tolerance);
    }

    [Fact]
    public void InvertAppliesBeforeScaling()
    {
        byte[] pixels = [0, 255, 200];
        var spec = Spec(3, 1, 1) with { Scale = 1 / 255f, Mean = [0.1307f], Std = [0.3081f], Invert = true };
        var tensor = new float[3];
        ImagePreprocessor.ResizeAndNormalize(pixels, 3, 1, spec, tensor);
        Assert.Equal((1f - 0.1307f) / 0.3081f, tensor[0], Tolerance);
        Assert.Equal((0f - 0.1307f) / 0.3081f, tensor[1], Tolerance);
        Assert.Equal(((55 / 255f) - 0.1307f) / 0.3081f, tensor[2], Tolerance);
    }

    [Fact]
    public void NchwWritesChannelPlanesAndNhwcInterleavesChannels()
    {
        // 2x1 RGB: pixel 0 = (1, 2, 3), pixel 1 = (4, 5, 6).
        byte[] pixels = [1, 2, 3, 4, 5, 6];
        var nchw = new float[6];
        var nhwc = new float[6];
        ImagePreprocessor.ResizeAndNormalize(pixels, 2, 1, Spec(2, 1, 3) with { Layout = TensorLayout.Nchw }, nchw);
        ImagePreprocessor.ResizeAndNormalize(pixels, 2, 1, Spec(2, 1, 3) with { Layout = TensorLayout.Nhwc }, nhwc);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], nchw);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], nhwc);
    }

    [Fact]
    public void NchwAndNhwcHoldTheSameValuesForARealImage()
    {
        var bytes = images.Bytes("jpeg-420");
        var nchw = new float[3 * 20 * 30];
        var nhwc = new float[3 * 20 * 30];
        ImagePreprocessor.Preprocess(bytes, Spec(30, 20, 3) with { Layout = TensorLayout.Nchw }, nchw, ImageLimits.Default);
        ImagePreprocessor.Preprocess(bytes, Spec(30, 20, 3) with { Layout = TensorLayout.Nhwc }, nhwc, ImageLimits.Default);
        for (var c = 0; c < 3; c++)
        {
            for (var p = 0; p < 600; p++)
            {
                Assert.Equal(nchw[(c * 600) + p], nhwc[(p * 3) + c]);
            }
        }
    }

    [Fact]
    public void DigitPngPreprocessesToTheNormalizedReferencePixels()
    {
        var path = images.Path("png-digit");
        var reference = ImageMagick.RawPixels(path, PixelFormat.Gray8);
        var spec = new PreprocessingSpec
        {
            Width = 28, Height = 28, Channels = 1, Resize = ResizeMode.Area, Scale = 0.00392156862745098f,
            Mean = [0.1307f], Std = [0.3081f], Invert = true,
        };
        var batch = new float[3 * 784];
        var result = ImagePreprocessor.Preprocess(File.ReadAllBytes(path), spec, batch.AsSpan(784, 784), ImageLimits.Default);

        Assert.Equal(new PreprocessResult(ImageFormat.Png, 28, 28, 28, 28, 1, 1), result);
        Assert.All(batch.Take(784).Concat(batch.Skip(1568)), v => Assert.Equal(0f, v)); // neighbours untouched
        for (var i = 0; i < 784; i++)
        {
            Assert.Equal((((255 - reference[i]) / 255f) - 0.1307f) / 0.3081f, batch[784 + i], Tolerance);
        }
    }

    [Fact]
    public void LargeJpegIsDecodedAtReducedScaleAndResizedToTheModelInput()
    {
        var spec = Spec(224, 224, 3) with { Resize = ResizeMode.Bilinear };
        var tensor = new float[spec.TensorLength];
        var result = ImagePreprocessor.Preprocess(images.Bytes("jpeg-640x480"), spec, tensor, ImageLimits.Default);
        Assert.Equal(new PreprocessResult(ImageFormat.Jpeg, 640, 480, 320, 240, 1, 2), result);
        Assert.All(tensor, v => Assert.InRange(v, 0f, 255f));

        var fullSize = new float[spec.TensorLength];
        var unscaled = ImagePreprocessor.Preprocess(images.Bytes("jpeg-640x480"), spec, fullSize, ImageLimits.Default, allowJpegDecodeScaling: false);
        Assert.Equal(new PreprocessResult(ImageFormat.Jpeg, 640, 480, 640, 480, 1, 1), unscaled);

        // Both paths sample the same picture: close on average, not identical.
        var meanAbs = tensor.Zip(fullSize, (a, b) => Math.Abs(a - b)).Average();
        Assert.InRange(meanAbs, 0.0, 8.0);
        Assert.NotEqual(tensor, fullSize);
    }

    [Fact]
    public void ColourImageIsConvertedToLumaForOneChannelModels()
    {
        var bytes = images.Bytes("png-rgb8");
        var reference = ImageMagick.RawPixels(images.Path("png-rgb8"), PixelFormat.Rgb24);
        var tensor = new float[61 * 47];
        ImagePreprocessor.Preprocess(bytes, Spec(61, 47, 1), tensor, ImageLimits.Default);
        for (var i = 0; i < tensor.Length; i++)
        {
            var luma = (0.299 * reference[3 * i]) + (0.587 * reference[(3 * i) + 1]) + (0.114 * reference[(3 * i) + 2]);
            Assert.Equal(luma, tensor[i], 0.51);
        }
    }

    [Fact]
    public void DestinationShorterThanTheTensorIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(
            () => ImagePreprocessor.Preprocess(images.Bytes("png-digit"), Spec(28, 28, 1), new float[783], ImageLimits.Default));
        Assert.Contains("784", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadImageFailsWithImageDecodeExceptionAndLeavesTheDestinationAlone()
    {
        var tensor = Enumerable.Repeat(-7f, 784).ToArray();
        var e = Assert.Throws<ImageDecodeException>(
            () => ImagePreprocessor.Preprocess("not an image"u8, Spec(28, 28, 1), tensor, ImageLimits.Default));
        Assert.Equal(ImageDecodeError.UnsupportedFormat, e.Error);
        Assert.All(tensor, v => Assert.Equal(-7f, v));
    }

    private static PreprocessingSpec Spec(int width, int height, int channels) => new()
    {
        Width = width,
        Height = height,
        Channels = channels,
        Scale = 1f,
        Mean = new float[channels],
        Std = Enumerable.Repeat(1f, channels).ToArray(),
    };

    private static float[] Resize(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight, ResizeMode mode)
    {
        var spec = Spec(outWidth, outHeight, channels) with { Resize = mode, Layout = TensorLayout.Nhwc };
        var tensor = new float[spec.TensorLength];
        ImagePreprocessor.ResizeAndNormalize(pixels, width, height, spec, tensor);
        return tensor;
    }

    private sealed class FloatComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= Tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
