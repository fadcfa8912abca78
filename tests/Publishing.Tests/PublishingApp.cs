using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.Publishing.Tests;

/// <summary>An Aspire AppHost built inside the test in publish mode (<c>--operation publish --step publish</c>),
/// over a small source tree of its own in a temporary folder, with the publishing integration added.</summary>
internal sealed class PublishingApp : IDisposable
{
    private PublishingApp(string root) => Root = root;

    /// <summary>The source root (it holds global.json); the AppHost folder is <see cref="AppHostDirectory"/> in it.</summary>
    public string Root { get; }

    public string AppHostDirectory => Path.Combine(Root, "apphost");

    public string Output => Path.Combine(Root, "publish-out");

    public static PublishingApp CreateSourceTree()
    {
        var app = new PublishingApp(Directory.CreateTempSubdirectory("mlaspire-publishing-tests-").FullName);
        app.Write("global.json", "{}");
        app.Write("apphost/apphost.txt", "the AppHost folder of the test app");
        app.Write("Directory.Build.props", "<Project><PropertyGroup><AssemblyName>Test.$(MSBuildProjectName)</AssemblyName></PropertyGroup></Project>");
        app.Write("lib/lib.csproj", """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
        app.Write("lib/Thing.cs", "namespace Lib; public static class Thing { }");
        app.Write("lib/bin/Debug/stale.dll", "not source");
        app.Write("lib/obj/project.assets.json", "{}");
        foreach (var name in new[] { "api", "worker", "model" })
        {
            app.Write($"{name}/{name}.csproj", """
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                  <ItemGroup><ProjectReference Include="..\lib\lib.csproj" /></ItemGroup>
                </Project>
                """);
        }

        app.Write("native/libfake_cuda.so", "cuda provider stand-in");
        app.Write("models/m/config.json", "{}");
        return app;
    }

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>A builder in publish mode writing to <paramref name="output"/> (default <see cref="Output"/>).</summary>
    public IDistributedApplicationBuilder CreateBuilder(string? output = null, params string[] args) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--operation", "publish", "--step", "publish", "--output-path", output ?? Output, .. args],
            ProjectDirectory = AppHostDirectory,
            DisableDashboard = true,
        });

    /// <summary>Runs the publish pipeline to its end; throws what a failed step threw.</summary>
    public static async Task<LogCapture> PublishAsync(IDistributedApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        var log = new LogCapture();
        builder.Services.AddLogging(logging => logging.AddProvider(log));
        await using (var app = builder.Build())
        {
            await app.RunAsync(cancellationToken);
        }

        var failure = log.Entries.Select(e => e.Exception).FirstOrDefault(e => e is not null);
        if (failure is not null)
        {
            // Our steps set the exit code for the command line; this process is the test host.
            Environment.ExitCode = 0;
            while (failure.InnerException is not null && failure is DistributedApplicationException && failure.InnerException is DistributedApplicationException)
            {
                failure = failure.InnerException;
            }

            throw failure;
        }

        return log;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
