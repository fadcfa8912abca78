using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MlAspire.AppHost.Tests;

/// <summary>The manifest the AppHost publishes: kept current at the repo root, schema-valid, self-consistent
/// and shaped like Aspire's own.</summary>
public sealed partial class ManifestTests
{
    private static readonly string[] s_endpointFields = ["url", "host", "port", "targetPort", "scheme"];

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex ExpressionPattern();

    private static async Task<string> PublishAsync(params string[] extraArgs)
    {
        using var file = AppHostRunner.TemporaryManifestAtRoot();
        await AppHostRunner.PublishInProcessAsync(file.Path, extraArgs);
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
            + "  dotnet run --project AppHost -- --publisher manifest --output-path ./aspire-manifest.json");

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
        await AppHostRunner.PublishInProcessAsync(file.Path);
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
                    Assert.Equal("parameter.v0", (string?)target["type"]);
                    break;
                case ["inputs", var input]:
                    Assert.NotNull(target["inputs"]?[input]);
                    break;
                case ["bindings", var binding, var field]:
                    Assert.True(target["bindings"]?[binding] is not null, $"{{{expression}}}: '{parts[0]}' has no binding '{binding}'");
                    Assert.Contains(field, s_endpointFields);
                    if (field == "targetPort")
                    {
                        Assert.NotNull(target["bindings"]![binding]!["targetPort"]);
                    }

                    break;
                default:
                    Assert.Fail($"{{{expression}}} is not a known expression form");
                    break;
            }
        }
    }

    [Fact]
    public async Task ManifestHasTheShapeOfAspiresOwn()
    {
        var ours = (await PublishJsonAsync())["resources"]!.AsObject();
        var example = JsonNode.Parse(await File.ReadAllTextAsync(AppHostRunner.ReferenceFile("example-aspire-manifest.json")))!["resources"]!.AsObject();
        var exampleByType = example.GroupBy(r => (string)r.Value!["type"]!).ToDictionary(g => g.Key, g => g.Select(r => r.Value!.AsObject()).ToList());

        foreach (var (name, node) in ours)
        {
            var resource = node!.AsObject();
            var type = (string)resource["type"]!;
            Assert.True(exampleByType.TryGetValue(type, out var peers), $"'{name}' has type {type}, which Aspire's example does not use");
            var allowed = peers.SelectMany(p => p.Select(kv => kv.Key)).ToHashSet();
            var required = peers.Select(p => p.Select(kv => kv.Key).ToHashSet()).Aggregate((a, b) => [.. a.Intersect(b)]);
            Assert.Subset(allowed, resource.Select(kv => kv.Key).ToHashSet());
            Assert.Superset(required, resource.Select(kv => kv.Key).ToHashSet());
        }

        // Redis and the generated password look exactly like Aspire's basketcache and its password.
        Assert.Equal(example["basketcache"]!["bindings"]!.ToJsonString(), ours["redis"]!["bindings"]!.ToJsonString());
        Assert.Equal(example["basketcache-password"]!["inputs"]!.ToJsonString(), ours["redis-password"]!["inputs"]!.ToJsonString());
        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port},password={redis-password.value}", (string?)ours["redis"]!["connectionString"]);
        Assert.StartsWith("docker.io/library/redis:7.", (string?)ours["redis"]!["image"], StringComparison.Ordinal);
        Assert.Equal(["-c", "redis-server --requirepass $REDIS_PASSWORD --appendonly yes --appendfsync always"], ours["redis"]!["args"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task TopologyIsPublishedAsTheServicesExpect()
    {
        var resources = (await PublishJsonAsync())["resources"]!.AsObject();

        Assert.Equal(["redis-password", "redis", "inference", "preprocessing", "gateway"], resources.Select(r => r.Key));
        Assert.Equal("Inference.Service/Inference.Service.csproj", (string?)resources["inference"]!["path"]);
        var grpc = resources["inference"]!["bindings"]!["grpc"]!;
        Assert.Equal("http2", (string?)grpc["transport"]);
        Assert.NotNull(grpc["targetPort"]);
        Assert.Equal("Http2", (string?)resources["inference"]!["env"]!["Kestrel__Endpoints__grpc__Protocols"]);
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
