using MlAspire.Hosting.Publishing;

namespace MlAspire.Hosting.Tests.Publishing;

public sealed class PublishCommandLineTests
{
    [Fact]
    public void OptionsAreReadAndConfigurationOverridesPassThrough()
    {
        var options = PublishCommandLine.Parse(
            ["--output-path", "out", "--tag=1.2.3", "--build-arg", "BASE_IMAGE=local/aspnet:10.0", "--Parameters:redis-password=x", "--AppHost:StartupTimeout", "00:01:00"],
            out var configuration);

        Assert.Null(options.Error);
        Assert.Equal("out", options.OutputPath);
        Assert.Equal("1.2.3", options.Tag);
        Assert.False(options.Build);
        Assert.Equal([new("BASE_IMAGE", "local/aspnet:10.0")], options.BuildArgs);
        Assert.Equal(["--Parameters:redis-password=x", "--AppHost:StartupTimeout", "00:01:00"], configuration);
    }

    [Fact]
    public void PushImpliesBuildAndDropsATrailingSlash()
    {
        var options = PublishCommandLine.Parse(["--output-path", "out", "--push", "registry.example.com:5000/"], out _);

        Assert.Null(options.Error);
        Assert.True(options.Build);
        Assert.Equal("registry.example.com:5000", options.PushRegistry);
    }

    [Fact]
    public void BuildFlagTakesNoValueSoTheNextOptionIsStillRead()
    {
        var options = PublishCommandLine.Parse(["--build", "--output-path", "out"], out _);

        Assert.Null(options.Error);
        Assert.True(options.Build);
        Assert.Equal("out", options.OutputPath);
    }

    [Theory]
    [InlineData(new[] { "--tag", "x" }, "--output-path <folder> is required")]
    [InlineData(new[] { "--output-path" }, "--output-path needs a value")]
    [InlineData(new[] { "--output-path", "out", "--bild" }, "Unknown argument '--bild'")]
    [InlineData(new[] { "--output-path", "out", "--tag", "bad tag!" }, "is not a valid image tag")]
    [InlineData(new[] { "--output-path", "out", "--image-prefix", "Upper" }, "is not a valid image name part")]
    [InlineData(new[] { "--output-path", "out", "--build-arg", "NOEQUALS" }, "--build-arg expects KEY=VALUE")]
    public void BadArgumentsGiveAClearError(string[] args, string expected)
    {
        var options = PublishCommandLine.Parse(args, out _);

        Assert.NotNull(options.Error);
        Assert.Contains(expected, options.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpNeedsNoOutputPath()
    {
        var options = PublishCommandLine.Parse(["--help"], out _);

        Assert.True(options.ShowHelp);
        Assert.Null(options.Error);
        Assert.Contains("--push <registry>", PublishCommandLine.HelpText, StringComparison.Ordinal);
    }
}
