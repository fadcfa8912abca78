using System.Net;

namespace MlAspire.Hosting.Tests;

/// <summary>Run mode with a real ASP.NET Core project: built once with MSBuild, started as <c>dotnet &lt;dll&gt;</c>
/// per replica, configured through the injected environment (including an HTTP/2-only endpoint).</summary>
public sealed class ProjectResourceRunTests
{
    private const string WebProject = """
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        </Project>
        """;

    private const string WebProgram = """
        var app = WebApplication.CreateBuilder(args).Build();
        app.MapGet("/health", () => "ok");
        app.MapGet("/env", () => string.Join('|',
            Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"),
            Environment.GetEnvironmentVariable("OTEL_RESOURCE_ATTRIBUTES"),
            app.Environment.EnvironmentName,
            Environment.GetEnvironmentVariable("services__backend__http__0")));
        app.Run();
        """;

    [Fact]
    public async Task ProjectIsBuiltOnceAndEveryReplicaServesItsHttpAndHttp2Endpoints()
    {
        using var timeout = TestApp.Timeout(300);
        var builder = TestApp.CreateBuilder();
        builder.Options.StartupTimeout = TimeSpan.FromSeconds(60);
        var source = Path.Combine(builder.AppHostDirectory, "..", Path.GetFileName(builder.AppHostDirectory) + "-web");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "Web.csproj"), WebProject, timeout.Token);
        await File.WriteAllTextAsync(Path.Combine(source, "Program.cs"), WebProgram, timeout.Token);
        var backend = builder.AddHealthServer("backend");
        builder.AddProject("web", Path.Combine(source, "Web.csproj"))
            .WithHttpEndpoint()
            .WithEndpoint("grpc", scheme: "http", transport: "http2")
            .WithHttpHealthCheck("/health")
            .WithReplicas(2)
            .WithReference(backend);
        await using var app = builder.Build();

        await app.StartAsync(timeout.Token);

        using var http = new HttpClient();
        var backendUrl = app.ResourceNotifications.GetSnapshot("backend-0")!.Urls[0];
        for (var replica = 0; replica < 2; replica++)
        {
            var snapshot = app.ResourceNotifications.GetSnapshot($"web-{replica}")!;
            Assert.True(snapshot.IsHealthy);
            var env = await http.GetStringAsync(new Uri(snapshot.Urls[0] + "/env"), timeout.Token);
            Assert.Equal($"web|service.instance.id=web-{replica}|Development|{backendUrl}", env);

            // The grpc endpoint speaks HTTP/2 with prior knowledge (cleartext), as gRPC clients expect.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(snapshot.Urls[1] + "/health"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await http.SendAsync(request, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
        }

        var pids = app.Orchestrator.Runners.SelectMany(r => r.AllProcessIds).ToList();
        await app.StopAsync();
        Assert.All(pids, pid => Assert.False(ProcFs.IsRunning(pid)));
    }

    [Fact]
    public async Task BuildErrorStopsStartupAndShowsTheCompilerMessage()
    {
        using var timeout = TestApp.Timeout(300);
        var builder = TestApp.CreateBuilder();
        var source = Path.Combine(builder.AppHostDirectory, "..", Path.GetFileName(builder.AppHostDirectory) + "-broken");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "Broken.csproj"), WebProject, timeout.Token);
        await File.WriteAllTextAsync(Path.Combine(source, "Program.cs"), "this is not C#", timeout.Token);
        builder.AddProject("broken", Path.Combine(source, "Broken.csproj"));
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(timeout.Token));

        Assert.Contains("Building 'broken' failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("error CS", error.Message, StringComparison.Ordinal);
        Assert.Equal(ResourceState.FailedToStart, app.ResourceNotifications.GetSnapshot("broken-0")!.State);
    }
}
