using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MlAspire.AppHost.Tests;

/// <summary>The manifest Aspire writes for the real AppHost (<c>--publisher manifest</c>, run as a child process):
/// kept current at the repo root, schema-valid against Aspire's manifest schema, and self-consistent.</summary>
public sealed partial class ManifestTests
{
    private static readonly string[] s_endpointFields = ["url", "host", "port", "targetPort", "scheme"];

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex ExpressionPattern();

    private static async Task<string> PublishAsync(params string[] extraArgs)
    {
        using var file = AppHostRunner.TemporaryManifestAtRoot();
        await AppHostRunner.PublishManifestAsync(file.Path, extraArgs);
        return await File.ReadAllTextAsync(file.Path);
    }

    private static async Task<JsonObject> PublishJsonAsync() => JsonNode.Parse(await PublishAsync())!.AsObject();

    [Fact]
    public async Task CommittedRootManifestIsUpToDate()
    {
        var generated = await PublishAsync();
        var committedPath = Path.Combine(AppHostRunner.RepoRoot, "aspire-manifest.json");
        Assert.True(File.Exists(committedPath), "aspire-manifest.json is missing at the repo root");
        var committed = await File.ReadAllTextAsync(committedPath);

        Assert.True(
            Normalize(committed) == Normalize(generated),
            "aspire-manifest.json is out of date; regenerate it from the repo root with:\n"
            + "  dotnet run --project AppHost -- --publisher manifest --output-path ../aspire-manifest.json\n"
            + "(dotnet run resolves the path against the AppHost folder; with the Aspire CLI: aspire publish --publisher manifest is not needed,"
            + " `aspire publish -o DIR` writes DIR/aspire-manifest.json)");

        static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n');
    }

    [Fact]
    public async Task PublishingTwiceGivesIdenticalBytes()
    {
        Assert.Equal(await PublishAsync(), await PublishAsync());
    }

    [Fact]
    public async Task ManifestValidatesAgainstTheAspireSchema()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var file = AppHostRunner.TemporaryManifestAtRoot();
        await AppHostRunner.PublishManifestAsync(file.Path);
        const string Script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            manifest = json.load(open(sys.argv[2]))
            errors = list(jsonschema.Draft7Validator(schema).iter_errors(manifest))
            for e in errors:
                print("/".join(map(str, e.absolute_path)), e.message[:300])
            print(f"{len(errors)} errors")
            sys.exit(1 if errors else 0)
            """;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(AppHostRunner.ReferenceFile("aspire-manifest.schema.json"));
        info.ArgumentList.Add(file.Path);

        using var python = Process.Start(info)!;
        var stdout = python.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = python.StandardError.ReadToEndAsync(timeout.Token);
        await python.WaitForExitAsync(timeout.Token);

        var output = (await stdout) + (await stderr);
        Assert.DoesNotContain("No module named 'jsonschema'", output, StringComparison.Ordinal); // eng/setup.sh installs python3-jsonschema
        Assert.True(python.ExitCode == 0, output);
        Assert.Contains("0 errors", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleManifestAlsoValidatesWithTheSameValidator()
    {
        // Guards the validator itself: Aspire's own manifest passes, and a broken copy fails.
        var example = JsonNode.Parse(await File.ReadAllTextAsync(AppHostRunner.ReferenceFile("example-aspire-manifest.json")))!;
        example["resources"]!["frontend"]!["bindings"]!["http"]!["transport"] = "quic";
        var broken = Path.Combine(Path.GetTempPath(), $"broken-manifest-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(broken, example.ToJsonString());
        try
        {
            Assert.Equal(0, await ValidateAsync(AppHostRunner.ReferenceFile("example-aspire-manifest.json")));
            Assert.Equal(1, await ValidateAsync(broken));
        }
        finally
        {
            File.Delete(broken);
        }

        static async Task<int> ValidateAsync(string path)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft7Validator)");
            info.ArgumentList.Add(AppHostRunner.ReferenceFile("aspire-manifest.schema.json"));
            info.ArgumentList.Add(path);
            using var python = Process.Start(info)!;
            _ = python.StandardOutput.ReadToEndAsync(timeout.Token);
            _ = python.StandardError.ReadToEndAsync(timeout.Token);
            await python.WaitForExitAsync(timeout.Token);
            return python.ExitCode;
        }
    }

    [Fact]
    public async Task EveryExpressionRefersToAnExistingResourceAndField()
    {
        var manifest = await PublishJsonAsync();
        var resources = manifest["resources"]!.AsObject();
        var expressions = new List<string>();
        foreach (var (_, resource) in resources)
        {
            Collect(resource!, expressions);
        }

        Assert.NotEmpty(expressions);
        foreach (var expression in expressions)
        {
            var parts = expression.Split('.');
            Assert.True(resources.ContainsKey(parts[0]), $"{{{expression}}}: no resource '{parts[0]}'");
            var target = resources[parts[0]]!.AsObject();
            switch (parts[1..])
            {
                case ["connectionString"]:
                    Assert.True(target.ContainsKey("connectionString"), $"{{{expression}}}: '{parts[0]}' has no connection string");
                    break;
                case ["value"]:
                    // Parameters, and the values Aspire derives from them (annotated.string: the URI-encoded password).
                    Assert.Contains((string?)target["type"], new[] { "parameter.v0", "annotated.string", "value.v0" });
                    Assert.NotNull(target["value"]);
                    break;
                case ["inputs", var input]:
                    Assert.NotNull(target["inputs"]?[input]);
                    break;
                case ["bindings", var binding, var field]:
                    Assert.True(target["bindings"]?[binding] is not null, $"{{{expression}}}: '{parts[0]}' has no binding '{binding}'");
                    Assert.Contains(field, s_endpointFields);
                    if (field == "targetPort" && target["bindings"]![binding]!["targetPort"] is null)
                    {
                        // Aspire leaves only a project's default HTTP endpoint without a target port: the deployment tool
                        // gives it the .NET images' ASPNETCORE_HTTP_PORTS (8080). Any other binding must carry one.
                        Assert.Equal("project.v0", (string?)target["type"]);
                        Assert.Equal("http", (string?)target["bindings"]![binding]!["scheme"]);
                        Assert.Equal(binding, target["bindings"]!.AsObject().First(b => (string?)b.Value!["scheme"] == "http").Key);
                    }

                    break;
                default:
                    Assert.Fail($"{{{expression}}} is not a known expression form");
                    break;
            }
        }
    }

    [Fact]
    public async Task RedisIsAspiresContainerWithAppendOnlyPersistenceAndAVolume()
    {
        var redis = (await PublishJsonAsync())["resources"]!["redis"]!;

        Assert.Equal("container.v0", (string?)redis["type"]);
        Assert.StartsWith("docker.io/library/redis:", (string?)redis["image"], StringComparison.Ordinal);
        Assert.StartsWith("{redis.bindings.tcp.host}:{redis.bindings.tcp.port},password={redis-password.value}", (string?)redis["connectionString"], StringComparison.Ordinal);
        // WithDataVolume adds RDB snapshots (--save 60 1); WithAppendOnlyPersistence the fsynced append-only file.
        Assert.Equal(["-c", "redis-server --requirepass $REDIS_PASSWORD --save 60 1 --appendonly yes --appendfsync always"], redis["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("/data", (string?)redis["volumes"]![0]!["target"]);
        Assert.Equal("{redis-password.value}", (string?)redis["env"]!["REDIS_PASSWORD"]);
    }

    [Fact]
    public async Task TopologyIsPublishedAsTheServicesExpect()
    {
        var resources = (await PublishJsonAsync())["resources"]!.AsObject();

        Assert.Equal(["redis-password", "redis", "inference", "preprocessing", "gateway"], resources.Select(r => r.Key).Take(5));
        Assert.True((bool?)resources["redis-password"]!["inputs"]!["value"]!["secret"]);
        Assert.NotNull(resources["redis-password"]!["inputs"]!["value"]!["default"]!["generate"]);
        Assert.Equal("Inference.Service/Inference.Service.csproj", (string?)resources["inference"]!["path"]);
        var grpc = resources["inference"]!["bindings"]!["grpc"]!;
        Assert.Equal("http2", (string?)grpc["transport"]);
        Assert.NotNull(grpc["targetPort"]);
        Assert.Equal("Http2", (string?)resources["inference"]!["env"]!["Kestrel__Endpoints__grpc__Protocols"]);
        Assert.Equal("http://*:{inference.bindings.grpc.targetPort}", (string?)resources["inference"]!["env"]!["Kestrel__Endpoints__grpc__Url"]);
        Assert.True((bool?)resources["gateway"]!["bindings"]!["http"]!["external"]);
        Assert.Null(resources["preprocessing"]!["bindings"]!["http"]!["external"]);
        foreach (var consumer in new[] { "preprocessing", "gateway" })
        {
            var env = resources[consumer]!["env"]!;
            Assert.Equal("{redis.connectionString}", (string?)env["ConnectionStrings__redis"]);
            Assert.Equal("{inference.bindings.grpc.url}", (string?)env["services__inference__grpc__0"]);
            Assert.Null(env["services__inference__grpc__1"]);
        }
    }

    [Fact]
    public async Task SecretValuesNeverReachTheManifest()
    {
        var manifest = await PublishAsync("--Parameters:redis-password=Do-Not-Publish-Me-42");

        Assert.DoesNotContain("Do-Not-Publish-Me-42", manifest, StringComparison.Ordinal);
        Assert.Contains("\"secret\": true", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLinePublishWritesNothingToStderrAndExitsZero()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var directory = Directory.CreateTempSubdirectory("mlaspire-apphost-publish-").FullName;
        try
        {
            var (exitCode, stdout, stderr) = await AppHostRunner.RunAppHostAsync(
                directory, timeout.Token, "--publisher", "manifest", "--output-path", directory + "/");

            Assert.Equal(0, exitCode);
            Assert.Equal(string.Empty, stderr);
            Assert.Contains("Published manifest to", stdout, StringComparison.Ordinal);
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "aspire-manifest.json"), timeout.Token))!;
            var expected = Path.GetRelativePath(directory, Path.Combine(AppHostRunner.RepoRoot, "Gateway.Api", "Gateway.Api.csproj"));
            Assert.Equal(expected, (string?)manifest["resources"]!["gateway"]!["path"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Collect(JsonNode node, List<string> expressions)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        Collect(child, expressions);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Collect(child, expressions);
                    }
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                expressions.AddRange(ExpressionPattern().Matches(text).Select(m => m.Groups[1].Value));
                break;
        }
    }
}
