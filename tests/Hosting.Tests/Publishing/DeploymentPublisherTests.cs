using System.Text.Json.Nodes;
using MlAspire.Hosting.Publishing;
using MlAspire.Tests.Publishing;

namespace MlAspire.Hosting.Tests.Publishing;

/// <summary>The container publisher on a small app with every feature it derives from the model: endpoints,
/// HTTP/2, replicas, GPUs, parameters (secret and plain), Redis, references and Dockerfile options.</summary>
public sealed class DeploymentPublisherTests : IDisposable
{
    private const string SecretValue = "s3cr3t-value-that-must-never-be-written-7f2c";
    private const string PlainValue = "plain-parameter-value-b81e";
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IDistributedApplicationBuilder CreateApp(Action<IDistributedApplicationBuilder>? extra = null)
    {
        var builder = TestApp.CreateBuilder("--Parameters:api-key=" + SecretValue, "--Parameters:region=" + PlainValue, "--Parameters:cache-password=" + SecretValue);
        var root = builder.AppHostDirectory;
        File.WriteAllText(Path.Combine(root, "global.json"), "{}");
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"),
            "<Project><PropertyGroup><AssemblyName>Test.$(MSBuildProjectName)</AssemblyName></PropertyGroup></Project>");
        Write(root, "lib/lib.csproj", """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
        Write(root, "lib/Thing.cs", "namespace Lib; public static class Thing { }");
        Write(root, "lib/bin/Debug/stale.dll", "not source");
        Write(root, "lib/obj/project.assets.json", "{}");
        foreach (var name in new[] { "api", "worker", "model" })
        {
            Write(root, $"{name}/{name}.csproj", """
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                  <ItemGroup><ProjectReference Include="..\lib\lib.csproj" /></ItemGroup>
                </Project>
                """);
        }

        Write(root, "native/libfake.so.1", "native library stand-in");
        Write(root, "native/libfake_cuda.so", "cuda provider stand-in");
        Write(root, "models/m/config.json", "{}");

        var apiKey = builder.AddParameter("api-key", secret: true);
        var region = builder.AddParameter("region");
        var cache = builder.AddRedis("cache").WithDataVolume("cache-data");
        var model = builder.AddProject("model", "model/model.csproj")
            .WithHttpEndpoint().WithEndpoint("grpc", transport: "http2").WithHttpHealthCheck("/health").WithGpu(2)
            .WithDockerfileOptions(image =>
            {
                image.CopyFile("native/libfake.so.1", "/app/libfake.so.1").CopyFile("models", "/app/models");
                image.CopyGpuFile("native/libfake_cuda.so", "/app/libfake_cuda.so");
                image.AptPackages.Add("libfoo1");
                image.Environment["Model__Repository"] = "/app/models";
            });
        builder.AddProject("worker", "worker/worker.csproj")
            .WithHttpEndpoint().WithHttpHealthCheck("/health").WithReplicas(3)
            .WithReference(cache).WaitFor(cache).WithReference(model).WaitFor(model)
            .WithEnvironment("API_KEY", apiKey).WithEnvironment("REGION", region)
            .WithEnvironment("MODEL_URL", ReferenceExpression.Create($"grpc={model.GetEndpoint("grpc").Url};key={apiKey.Resource.ValueReference}"));
        builder.AddProject("api", "api/api.csproj")
            .WithHttpEndpoint().WithExternalHttpEndpoints().WithHttpHealthCheck("/health").WithReference(model);
        extra?.Invoke(builder);
        return builder;
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private async Task<string> PublishAsync(IDistributedApplicationBuilder builder, string? output = null)
    {
        using var timeout = TestApp.Timeout(120);
        var app = builder.Build();
        output ??= Path.Combine(builder.AppHostDirectory, "publish-out");
        _folders.Add(builder.AppHostDirectory);
        await DeploymentPublisher.PublishAsync(app.Resources, builder.AppHostDirectory, new PublishOptions { OutputPath = output, Tag = "t1" }, TextWriter.Null, timeout.Token);
        return output;
    }

    private static List<JsonObject> Base(string output, string name) => YamlDocuments.LoadFile(Path.Combine(output, "kubernetes", "base", name + ".yaml"));

    private static JsonArray Env(JsonObject workload) => workload["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();

    [Fact]
    public async Task ServicesGetRunModeVariableNamesWithInClusterAddresses()
    {
        var output = await PublishAsync(CreateApp());
        var worker = Base(output, "worker");
        var config = YamlDocuments.Single(worker, "ConfigMap", "worker-env")["data"]!;

        Assert.Equal("http://model:8081", (string?)config["services__model__grpc__0"]);
        Assert.Equal("http://model:8080", (string?)config["services__model__http__0"]);
        Assert.Equal("worker", (string?)config["OTEL_SERVICE_NAME"]);
        Assert.Equal("8080", (string?)config["HTTP_PORTS"]);
        Assert.Null(config["ConnectionStrings__cache"]); // holds a secret: not in the ConfigMap

        var env = Env(YamlDocuments.Single(worker, "Deployment", "worker")).Select(e => e!.AsObject()).ToList();
        string? Value(string name) => (string?)env.Single(e => (string?)e["name"] == name)["value"];
        JsonNode? From(string name) => env.Single(e => (string?)e["name"] == name)["valueFrom"];

        Assert.Equal("cache:6379,password=$(PARAMETER_CACHE_PASSWORD)", Value("ConnectionStrings__cache"));
        Assert.Equal("grpc=http://model:8081;key=$(PARAMETER_API_KEY)", Value("MODEL_URL"));
        Assert.Equal("service.instance.id=$(POD_NAME)", Value("OTEL_RESOURCE_ATTRIBUTES"));
        Assert.Equal("cache-password", (string?)From("PARAMETER_CACHE_PASSWORD")!["secretKeyRef"]!["key"]);
        Assert.Equal("api-key", (string?)From("API_KEY")!["secretKeyRef"]!["key"]);
        Assert.Equal("region", (string?)From("REGION")!["configMapKeyRef"]!["key"]);

        // $(VAR) only expands variables defined earlier in the list.
        var names = env.Select(e => (string?)e["name"]).ToList();
        Assert.True(names.IndexOf("PARAMETER_CACHE_PASSWORD") < names.IndexOf("ConnectionStrings__cache"));
        Assert.True(names.IndexOf("POD_NAME") < names.IndexOf("OTEL_RESOURCE_ATTRIBUTES"));
    }

    [Fact]
    public async Task Http2EndpointsGetAnH2cServiceAndAHeadlessOne()
    {
        var output = await PublishAsync(CreateApp());
        var model = Base(output, "model");

        var service = YamlDocuments.Single(model, "Service", "model");
        Assert.Equal("ClusterIP", (string?)service["spec"]!["type"]);
        var grpc = service["spec"]!["ports"]!.AsArray().Single(p => (string?)p!["name"] == "grpc")!;
        Assert.Equal("kubernetes.io/h2c", (string?)grpc["appProtocol"]);
        Assert.Equal("8081", (string?)grpc["port"]);
        Assert.Equal("None", (string?)YamlDocuments.Single(model, "Service", "model-headless")["spec"]!["clusterIP"]);
        Assert.DoesNotContain(Base(output, "api"), o => (string?)o["metadata"]!["name"] == "api-headless");
    }

    [Fact]
    public async Task ReplicasGpusProbesAndAutoscalingFollowTheModel()
    {
        var output = await PublishAsync(CreateApp());

        var worker = YamlDocuments.Single(Base(output, "worker"), "Deployment", "worker");
        Assert.Equal("3", (string?)worker["spec"]!["replicas"]);
        var hpa = YamlDocuments.Single(Base(output, "worker"), "HorizontalPodAutoscaler", "worker");
        Assert.Equal("3", (string?)hpa["spec"]!["minReplicas"]);
        Assert.Equal("12", (string?)hpa["spec"]!["maxReplicas"]);
        Assert.DoesNotContain(Base(output, "api"), o => (string?)o["kind"] == "HorizontalPodAutoscaler");

        var model = YamlDocuments.Single(Base(output, "model"), "Deployment", "model");
        var container = model["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("2", (string?)container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("nvidia.com/gpu", (string?)model["spec"]!["template"]!["spec"]!["tolerations"]![0]!["key"]);
        Assert.Equal("/health", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/alive", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Null(YamlDocuments.Single(Base(output, "api"), "Deployment", "api")["spec"]!["template"]!["spec"]!["tolerations"]);

        var cache = YamlDocuments.Single(Base(output, "cache"), "StatefulSet", "cache");
        Assert.Equal("cache-data", (string?)cache["spec"]!["volumeClaimTemplates"]![0]!["metadata"]!["name"]);
        Assert.Equal("cache-password", (string?)Env(cache).Single(e => (string?)e!["name"] == "REDIS_PASSWORD")!["valueFrom"]!["secretKeyRef"]!["key"]);
    }

    [Fact]
    public async Task DockerfilesCarryTheOptionsAndRunAsTheAppUser()
    {
        var output = await PublishAsync(CreateApp());
        var model = await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "Dockerfile"));

        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0\n", model, StringComparison.Ordinal);
        Assert.Contains("ARG BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0\n", model, StringComparison.Ordinal);
        Assert.Contains("RUN dotnet publish \"model/model.csproj\"", model, StringComparison.Ordinal);
        Assert.Contains("install -y --no-install-recommends libfoo1", model, StringComparison.Ordinal);
        Assert.Contains("COPY docker/model/files/ /\n", model, StringComparison.Ordinal);
        Assert.Contains("ENV Model__Repository=\"/app/models\"\n", model, StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080 8081\n", model, StringComparison.Ordinal);
        Assert.Contains("USER 1654\n", model, StringComparison.Ordinal);
        Assert.Contains("/dev/tcp/127.0.0.1/8080", model, StringComparison.Ordinal);
        Assert.Contains("GET /alive HTTP/1.0", model, StringComparison.Ordinal);
        Assert.EndsWith("ENTRYPOINT [\"dotnet\", \"Test.model.dll\"]\n", model, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", model, StringComparison.Ordinal);

        var gpu = await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "Dockerfile.gpu"));
        Assert.Contains("ARG BASE_IMAGE=" + DockerfileOptions.DefaultGpuBaseImage, gpu, StringComparison.Ordinal);
        Assert.Contains("COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet", gpu, StringComparison.Ordinal);
        Assert.Contains("COPY docker/model/files-gpu/ /\n", gpu, StringComparison.Ordinal);
        Assert.DoesNotContain("files-gpu", model, StringComparison.Ordinal);
        Assert.Equal("cuda provider stand-in", await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "files-gpu", "app", "libfake_cuda.so")));
        Assert.False(File.Exists(Path.Combine(output, "docker", "worker", "Dockerfile.gpu")));
        Assert.DoesNotContain("apt-get", await File.ReadAllTextAsync(Path.Combine(output, "docker", "api", "Dockerfile")), StringComparison.Ordinal);

        Assert.Equal("native library stand-in", await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "files", "app", "libfake.so.1")));
        Assert.True(File.Exists(Path.Combine(output, "docker", "model", "files", "app", "models", "m", "config.json")));
    }

    [Fact]
    public async Task BuildContextHoldsTheProjectClosureWithoutBuildOutput()
    {
        var output = await PublishAsync(CreateApp());
        var src = Path.Combine(output, "src");
        var files = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(src, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            ["Directory.Build.props", "api/api.csproj", "global.json", "lib/Thing.cs", "lib/lib.csproj", "model/model.csproj", "worker/worker.csproj"],
            files);
    }

    [Fact]
    public async Task ComposeUsesEnvInterpolationForParametersAndHealthGatedDependencies()
    {
        var output = await PublishAsync(CreateApp());
        var compose = YamlDocuments.LoadFile(Path.Combine(output, "compose.yaml")).Single()["services"]!;

        var worker = compose["worker"]!;
        Assert.Equal("cache:6379,password=${PARAMETER_CACHE_PASSWORD:?set PARAMETER_CACHE_PASSWORD in .env}", (string?)worker["environment"]!["ConnectionStrings__cache"]);
        Assert.Equal("http://model:8081", (string?)worker["environment"]!["services__model__grpc__0"]);
        Assert.Equal("3", (string?)worker["deploy"]!["replicas"]);
        Assert.Equal("service_healthy", (string?)worker["depends_on"]!["cache"]!["condition"]);
        Assert.Equal("service_healthy", (string?)worker["depends_on"]!["model"]!["condition"]);
        Assert.Equal("mlaspire/worker:${TAG:-latest}", (string?)worker["image"]);
        Assert.Null(worker["ports"]);
        Assert.Null(compose["model"]!["ports"]);
        Assert.Equal("${API_HTTP_PORT:-8080}:8080", (string?)compose["api"]!["ports"]![0]);
        Assert.Equal("${CACHE_IMAGE:-docker.io/library/redis:7.4}", (string?)compose["cache"]!["image"]);
        Assert.Contains("$$REDIS_PASSWORD", (string?)compose["cache"]!["command"]![1], StringComparison.Ordinal);

        var gpu = YamlDocuments.LoadFile(Path.Combine(output, "compose.gpu.yaml")).Single()["services"]!;
        Assert.Equal("2", (string?)gpu["model"]!["deploy"]!["resources"]!["reservations"]!["devices"]![0]!["count"]);
        Assert.Contains("PARAMETER_API_KEY=\n", await File.ReadAllTextAsync(Path.Combine(output, ".env.example")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParameterValuesAreNeverWrittenAnywhere()
    {
        var output = await PublishAsync(CreateApp());

        foreach (var file in Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(SecretValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain(PlainValue, text, StringComparison.Ordinal);
        }

        Assert.Contains("api-key=\n", await File.ReadAllTextAsync(Path.Combine(output, "kubernetes", "base", "parameters.env")), StringComparison.Ordinal);
        Assert.Contains("region=\n", await File.ReadAllTextAsync(Path.Combine(output, "kubernetes", "base", "parameters.config.env")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishingTwiceGivesIdenticalFilesAndKeepsFilledParameterFiles()
    {
        var builder = CreateApp();
        var first = await PublishAsync(builder);
        var filled = Path.Combine(first, "kubernetes", "base", "parameters.env");
        var snapshot = Snapshot(first);
        await File.WriteAllTextAsync(filled, "api-key=filled\ncache-password=filled\n");

        using var timeout = TestApp.Timeout(120);
        var second = CreateApp();
        var app = second.Build();
        _folders.Add(second.AppHostDirectory);
        var secondOutput = Path.Combine(second.AppHostDirectory, "publish-out");
        await DeploymentPublisher.PublishAsync(app.Resources, second.AppHostDirectory, new PublishOptions { OutputPath = secondOutput, Tag = "t1" }, TextWriter.Null, timeout.Token);
        Assert.Equal(snapshot, Snapshot(secondOutput));

        await DeploymentPublisher.PublishAsync(app.Resources, second.AppHostDirectory, new PublishOptions { OutputPath = first, Tag = "t1" }, TextWriter.Null, timeout.Token);
        Assert.Equal("api-key=filled\ncache-password=filled\n", await File.ReadAllTextAsync(filled));

        static SortedDictionary<string, string> Snapshot(string folder) => new(
            Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
                f => Path.GetRelativePath(folder, f),
                f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);
    }

    [Fact]
    public async Task ExecutablesCannotBePublishedAsContainers()
    {
        var builder = CreateApp(b => b.AddExecutable("tool", "python3", ".", "x.py"));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder));
        Assert.Contains("'tool' cannot be published as a container", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingImageFileIsReportedByName()
    {
        var builder = CreateApp(b => ((ProjectResource)b.Resources.Single(r => r.Name == "api")).DockerfileOptions.CopyFile("native/missing.so", "/app/missing.so"));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder));
        Assert.Contains("missing.so", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOutputFolderHoldingTheSourcesIsRefusedBeforeAnythingIsDeleted()
    {
        var builder = CreateApp();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder, builder.AppHostDirectory));
        Assert.Contains("contains the sources", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(builder.AppHostDirectory, "lib", "Thing.cs")));
    }

    [Fact]
    public async Task AFolderWithForeignSourcesOrAFileIsRefused()
    {
        var builder = CreateApp();
        var foreign = Path.Combine(builder.AppHostDirectory, "elsewhere");
        Write(foreign, "src/keep.cs", "mine");
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder, foreign));
        Assert.Contains("that an earlier publish did not write", error.Message, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(foreign, "src", "keep.cs")));

        var second = CreateApp();
        var file = Path.Combine(second.AppHostDirectory, "a-file");
        await File.WriteAllTextAsync(file, "x");
        error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(second, file));
        Assert.Contains("is a file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImagePathsMustBeAbsolute()
    {
        var options = new DockerfileOptions();

        Assert.Throws<ArgumentException>(() => options.CopyFile("a", "relative/path"));
        Assert.Throws<ArgumentException>(() => options.CopyFile("a", "/app/../etc/passwd"));
    }
}
