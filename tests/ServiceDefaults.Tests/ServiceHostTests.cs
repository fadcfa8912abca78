namespace MlAspire.ServiceDefaults.Tests;

/// <summary>Which content root a service starts with, so that its appsettings.json is found wherever it is started from.</summary>
public sealed class ServiceHostTests : IDisposable
{
    private readonly string _current = Directory.CreateTempSubdirectory("mlaspire-cwd-").FullName;
    private readonly string _app = Directory.CreateTempSubdirectory("mlaspire-app-").FullName;

    public void Dispose()
    {
        Directory.Delete(_current, recursive: true);
        Directory.Delete(_app, recursive: true);
    }

    private static string? NoVariables(string name) => null;

    [Fact]
    public void StartedFromAFolderWithoutSettingsTheApplicationFolderBecomesTheContentRoot()
    {
        File.WriteAllText(Path.Combine(_app, "appsettings.json"), "{}");
        var options = ServiceHost.Options(["--urls", "http://127.0.0.1:0"], _current, _app, NoVariables);
        Assert.Equal(_app, options.ContentRootPath);
        Assert.Equal(["--urls", "http://127.0.0.1:0"], options.Args!);
    }

    [Fact]
    public void SettingsInTheCurrentFolderKeepTheUsualContentRoot()
    {
        File.WriteAllText(Path.Combine(_app, "appsettings.json"), "{}");
        File.WriteAllText(Path.Combine(_current, "appsettings.json"), "{}");
        Assert.Null(ServiceHost.Options([], _current, _app, NoVariables).ContentRootPath);
    }

    [Fact]
    public void WithoutSettingsBesideTheApplicationNothingChanges()
    {
        Assert.Null(ServiceHost.Options([], _current, _app, NoVariables).ContentRootPath);
    }

    [Theory]
    [InlineData("--contentRoot=/srv/app")]
    [InlineData("--contentRoot")]
    [InlineData("contentRoot=/srv/app")]
    public void AnExplicitContentRootArgumentWins(string argument)
    {
        File.WriteAllText(Path.Combine(_app, "appsettings.json"), "{}");
        Assert.Null(ServiceHost.Options([argument, "/srv/app"], _current, _app, NoVariables).ContentRootPath);
    }

    [Theory]
    [InlineData("ASPNETCORE_CONTENTROOT")]
    [InlineData("DOTNET_CONTENTROOT")]
    public void AnExplicitContentRootVariableWins(string variable)
    {
        File.WriteAllText(Path.Combine(_app, "appsettings.json"), "{}");
        Assert.Null(ServiceHost.Options([], _current, _app, name => name == variable ? "/srv/app" : null).ContentRootPath);
    }

    [Fact]
    public void ABuilderMadeWithTheOptionsReadsTheApplicationFoldersSettings()
    {
        File.WriteAllText(Path.Combine(_app, "appsettings.json"), """{ "Logging": { "LogLevel": { "Microsoft.AspNetCore": "Warning" } }, "Probe": "from-app-folder" }""");
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(ServiceHost.Options([], _current, _app, NoVariables));
        Assert.Equal("from-app-folder", builder.Configuration["Probe"]);
        Assert.Equal("Warning", builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"]);
    }
}
