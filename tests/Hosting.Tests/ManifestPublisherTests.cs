using System.Diagnostics;
using System.Text.Json.Nodes;
using MlAspire.Hosting.Publishing;

namespace MlAspire.Hosting.Tests;

public sealed class ManifestPublisherTests
{
    private static JsonObject Render(IDistributedApplicationBuilder builder)
    {
        var app = builder.Build();
        var bytes = ManifestPublisher.Render(app.Resources, builder.AppHostDirectory);
        return JsonNode.Parse(bytes)!.AsObject();
    }

    private static IDistributedApplicationBuilder EveryKindOfResource()
    {
        var builder = TestApp.CreateBuilder("--publisher", "manifest");
        var region = builder.AddParameter("region");
        var legacy = builder.AddConnectionString("legacy");
        var cache = builder.AddRedis("cache").WithDataVolume();
        var search = builder.AddContainer("search", "docker.io/library/nginx", "1.27")
            .WithEndpoint("web", targetPort: 80, isExternal: true)
            .WithVolume("search-data", "/usr/share/nginx/html", isReadOnly: true)
            .WithArgs("-g", "daemon off;")
            .WithEnvironment("REGION", region);
        Directory.CreateDirectory(Path.Combine(builder.AppHostDirectory, "tools"));
        builder.AddExecutable("indexer", "python3", "tools", "index.py")
            .WithHttpEndpoint(env: "PORT")
            .WithReference(search)
            .WithReference(legacy)
            .WithReference(cache)
            .WithReplicas(3);
        return builder;
    }

    [Fact]
    public void EveryResourceKindIsWrittenAsAspireDoes()
    {
        var resources = Render(EveryKindOfResource())["resources"]!.AsObject();

        Assert.Equal(["region", "legacy", "cache", "search", "indexer", "cache-password"], resources.Select(r => r.Key));
        Assert.Equal("""{"type":"parameter.v0","value":"{region.inputs.value}","inputs":{"value":{"type":"string"}}}""", resources["region"]!.ToJsonString());
        Assert.Equal("""{"type":"parameter.v0","connectionString":"{legacy.value}","value":"{legacy.inputs.value}","inputs":{"value":{"type":"string","secret":true}}}""", resources["legacy"]!.ToJsonString());
        Assert.Equal(["-c", "redis-server --requirepass $REDIS_PASSWORD --save 60 1"], resources["cache"]!["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("docker.io/library/nginx:1.27", (string?)resources["search"]!["image"]);
        Assert.Equal("""[{"name":"search-data","target":"/usr/share/nginx/html","readOnly":true}]""", resources["search"]!["volumes"]!.ToJsonString());
        Assert.Equal("""{"web":{"scheme":"http","protocol":"tcp","transport":"http","external":true,"targetPort":80}}""", resources["search"]!["bindings"]!.ToJsonString());
        var indexer = resources["indexer"]!;
        Assert.Equal("tools", (string?)indexer["workingDirectory"]);
        Assert.Equal("python3", (string?)indexer["command"]);
        Assert.Equal(
            """{"PORT":"{indexer.bindings.http.targetPort}","services__search__web__0":"{search.bindings.web.url}","ConnectionStrings__legacy":"{legacy.connectionString}","ConnectionStrings__cache":"{cache.connectionString}"}""",
            indexer["env"]!.ToJsonString());
    }

    [Fact]
    public void EveryResourceKindValidatesAgainstTheSchema()
    {
        var builder = EveryKindOfResource();
        var manifest = Path.Combine(builder.AppHostDirectory, "aspire-manifest.json");
        ManifestPublisher.Write(builder.Build().Resources, manifest);

        var info = new ProcessStartInfo(HealthServerScript.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft7Validator)");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Reference", "aspire-manifest.schema.json"));
        info.ArgumentList.Add(manifest);
        using var python = Process.Start(info)!;
        var errors = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(TimeSpan.FromSeconds(60)));

        Assert.True(python.ExitCode == 0, errors);
    }

    [Theory]
    [InlineData("out.json", "out.json")]
    [InlineData("sub/", "sub/aspire-manifest.json")]
    public void OutputPathMayNameAFileOrAFolder(string argument, string expected)
    {
        var root = Directory.CreateTempSubdirectory("mlaspire-out-").FullName;

        var path = ManifestPublisher.ResolveOutputPath(Path.Combine(root, argument));

        Assert.Equal(Path.Combine(root, expected), path);
    }

    [Fact]
    public async Task PublishModeWritesTheManifestWithoutStartingAnything()
    {
        var directory = Directory.CreateTempSubdirectory("mlaspire-publish-").FullName;
        var output = Path.Combine(directory, "m.json");
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--publisher", "manifest", "--output-path", output],
            ProjectDirectory = directory,
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });
        builder.AddExecutable("api", "sleep", ".", "300");
        await using var app = builder.Build();

        await app.RunAsync();

        Assert.Equal("executable.v0", (string?)JsonNode.Parse(await File.ReadAllTextAsync(output))!["resources"]!["api"]!["type"]);
        Assert.Empty(app.ResourceNotifications.GetCurrentSnapshots());
    }
}
