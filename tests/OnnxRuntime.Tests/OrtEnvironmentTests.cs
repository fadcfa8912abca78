using MlAspire.OnnxRuntime.Native;
using Microsoft.Extensions.Logging;

namespace MlAspire.OnnxRuntime.Tests;

[Collection(OrtCollection.Name)]
public sealed class OrtEnvironmentTests(OrtFixture fixture)
{
    [Fact]
    public void LoadsTheCachedLibraryAndReportsItsVersion()
    {
        Assert.StartsWith("1.", fixture.Environment.Version, StringComparison.Ordinal);
        if (fixture.Environment.LibraryPath.StartsWith(OrtLibrary.CacheDirectory(), StringComparison.Ordinal))
        {
            Assert.Equal(OrtLibrary.CachedVersion, fixture.Environment.Version);
        }

        Assert.True(File.Exists(fixture.Environment.LibraryPath) || !Path.IsPathRooted(fixture.Environment.LibraryPath));
        Assert.Contains(fixture.Logger.Entries, e => e.EventId.Id == 5001 && e.Message.Contains(fixture.Environment.Version, StringComparison.Ordinal));
    }

    [Fact]
    public void RequestsTheOldestApiVersionThatHasEveryFunctionUsed()
    {
        Assert.Equal(11u, OrtEnvironment.ApiVersion);
    }

    [Fact]
    public void AvailableProvidersIncludeCpu()
    {
        Assert.Contains(ExecutionProviders.Cpu, fixture.Environment.GetAvailableProviders());
    }

    [Fact]
    public void ResolveLoadsTheLibraryFromAConfiguredFolder()
    {
        var (handle, path) = OrtLibrary.Resolve(OrtLibrary.CacheDirectory(), fromEnvironment: null);
        Assert.NotEqual(0, handle);
        Assert.Equal(Path.Combine(OrtLibrary.CacheDirectory(), "libonnxruntime.so.1"), path);
    }

    [Fact]
    public void ResolveUsesTheEnvironmentVariableWhenNoExplicitPathIsGiven()
    {
        var file = Path.Combine(OrtLibrary.CacheDirectory(), "libonnxruntime.so.1");
        var (_, path) = OrtLibrary.Resolve(explicitPath: null, fromEnvironment: file);
        Assert.Equal(file, path);
    }

    [Fact]
    public void ResolveListsWhereItLookedWhenTheConfiguredPathIsMissing()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mlaspire-no-such-folder", "libonnxruntime.so.1");
        var ex = Assert.Throws<DllNotFoundException>(() => OrtLibrary.Resolve(explicitPath: null, fromEnvironment: missing));
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains(OrtLibrary.LibraryPathVariable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeWarningsAreRoutedToTheLogger()
    {
        // An initializer no node uses makes ONNX Runtime log a warning while it loads the graph.
        var model = new OnnxModelBuilder()
            .Input("x", TensorElementType.Float, [2])
            .Output("y", TensorElementType.Float, [2])
            .FloatInitializer("unused_weight", [1f, 2f], 2)
            .Node("Identity", ["x"], ["y"])
            .Build();

        using var session = fixture.Environment.CreateSession(model);

        Assert.Contains(fixture.Logger.Entries, e =>
            e.EventId.Id == 5000 && e.Level >= LogLevel.Warning && e.Message.Contains("unused_weight", StringComparison.Ordinal));
    }

    [Fact]
    public void ASessionKeepsWorkingWhenItsEnvironmentIsDisposedFirst()
    {
        var model = new OnnxModelBuilder()
            .Input("x", TensorElementType.Float, [3])
            .Output("y", TensorElementType.Float, [3])
            .Node("Neg", ["x"], ["y"])
            .Build();
        var environment = OrtEnvironment.Create();
        using var session = environment.CreateSession(model);

        environment.Dispose();

        Assert.Throws<ObjectDisposedException>(() => environment.CreateSession(model));
        using var result = session.Run([InputTensor.Create<float>("x", new float[] { 1, -2, 3 }, [3])]);
        Assert.Equal([-1f, 2f, -3f], result[0].ToArray<float>());
    }
}
