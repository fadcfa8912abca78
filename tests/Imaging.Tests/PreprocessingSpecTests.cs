namespace MlAspire.Imaging.Tests;

public sealed class PreprocessingSpecTests
{
    private static readonly PreprocessingSpec s_valid = new()
    {
        Width = 28, Height = 28, Channels = 1, Layout = TensorLayout.Nchw, Resize = ResizeMode.Area,
        Scale = 0.00392156862745098f, Mean = [0.1307f], Std = [0.3081f],
    };

    [Fact]
    public void TheDigitsModelSpecIsValid()
    {
        Assert.Null(s_valid.GetValidationError());
        s_valid.Validate();
        Assert.Equal(784, s_valid.TensorLength);
        Assert.Equal(PixelFormat.Gray8, s_valid.PixelFormat);
    }

    public static TheoryData<PreprocessingSpec, string> InvalidSpecs => new()
    {
        { s_valid with { Width = 0 }, "preprocessing.width" },
        { s_valid with { Height = 9000 }, "preprocessing.height" },
        { s_valid with { Channels = 2 }, "preprocessing.channels" },
        { s_valid with { Layout = (TensorLayout)7 }, "preprocessing.layout" },
        { s_valid with { Resize = (ResizeMode)7 }, "preprocessing.resize" },
        { s_valid with { Scale = 0 }, "preprocessing.scale" },
        { s_valid with { Scale = float.NaN }, "preprocessing.scale" },
        { s_valid with { Mean = [0.1f, 0.2f, 0.3f] }, "preprocessing.mean" },
        { s_valid with { Mean = [float.PositiveInfinity] }, "preprocessing.mean[0]" },
        { s_valid with { Std = [] }, "preprocessing.std" },
        { s_valid with { Std = [0f] }, "preprocessing.std[0]" },
        { s_valid with { Channels = 3 }, "preprocessing.mean" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void InvalidSpecNamesTheBadField(PreprocessingSpec spec, string field)
    {
        Assert.StartsWith(field, spec.GetValidationError(), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(spec.Validate);
        Assert.StartsWith(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidSpecIsRejectedBeforeDecoding()
    {
        var e = Assert.Throws<ArgumentException>(
            () => ImagePreprocessor.Preprocess([], s_valid with { Std = [-1f] }, new float[784], ImageLimits.Default));
        Assert.StartsWith("preprocessing.std[0]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NCHW", TensorLayout.Nchw)]
    [InlineData("nhwc", TensorLayout.Nhwc)]
    public void LayoutParsesFromConfigStrings(string text, TensorLayout expected)
        => Assert.Equal(expected, PreprocessingSpec.ParseLayout(text));

    [Theory]
    [InlineData("area", ResizeMode.Area)]
    [InlineData("Bilinear", ResizeMode.Bilinear)]
    public void ResizeParsesFromConfigStrings(string text, ResizeMode expected)
        => Assert.Equal(expected, PreprocessingSpec.ParseResize(text));

    [Fact]
    public void UnknownConfigStringsAreRejectedNamingTheField()
    {
        Assert.Contains("preprocessing.layout", Assert.Throws<ArgumentException>(() => PreprocessingSpec.ParseLayout("CHW")).Message, StringComparison.Ordinal);
        Assert.Contains("preprocessing.resize", Assert.Throws<ArgumentException>(() => PreprocessingSpec.ParseResize("bicubic")).Message, StringComparison.Ordinal);
    }
}
