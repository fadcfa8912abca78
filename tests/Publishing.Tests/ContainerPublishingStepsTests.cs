using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing.Tests;

/// <summary>The publishing steps on a small Aspire app model with every feature they derive from it: endpoints,
/// HTTP/2, replicas, GPUs, probes, parameters (secret and plain), Redis, references, an autoscaling metric and
/// Dockerfile options. Each test publishes through the real Aspire pipeline (<c>--operation publish</c>).</summary>
public sealed class ContainerPublishingStepsTests : IDisposable
{
    private const string SecretValue = "s3cr3t-value-that-must-never-be-written-7f2c";
    private const string PlainValue = "plain-parameter-value-b81e";
    private readonly PublishingApp _tree = PublishingApp.CreateSourceTree();

    public void Dispose() => _tree.Dispose();

    private IDistributedApplicationBuilder CreateApp(string? output = null, Action<IDistributedApplicationBuilder>? extra = null, params string[] args)
    {
        var builder = _tree.CreateBuilder(output, [
            "--Parameters:api-key=" + SecretValue, "--Parameters:region=" + PlainValue, "--Parameters:cache-password=" + SecretValue,
            "--ContainerImages:Tag=t1", .. args]);
        var apiKey = builder.AddParameter("api-key", secret: true);
        var region = builder.AddParameter("region");
        var cachePassword = builder.AddParameter("cache-password", secret: true);
        var cache = builder.AddRedis("cache").WithPassword(cachePassword).WithDataVolume();
        var model = builder.AddProject("model", "../model/model.csproj")
            .WithHttpEndpoint(name: "http").WithEndpoint("grpc", e => { e.UriScheme = "http"; e.Transport = "http2"; })
            .WithHttpHealthCheck("/health").WithServiceDefaultsProbes().WithGpu(2)
            .WithDockerfileOptions(image =>
            {
                image.CopyFile("../models", "/app/models");
                image.CopyGpuFile("../native/libfake_cuda.so", "/app/libfake_cuda.so");
                image.KeepOnlyInGpuImage("runtimes/linux-x64/native/libfake_cuda_provider.so");
                image.AptPackages.Add("libfoo1");
                image.Environment["Model__Repository"] = "/app/models";
            });
        builder.AddProject("worker", "../worker/worker.csproj")
            .WithHttpEndpoint(name: "http").WithHttpHealthCheck("/health").WithServiceDefaultsProbes().WithReplicas(3)
            .WithReference(cache).WaitFor(cache).WithReference(model).WaitFor(model)
            .WithEnvironment("API_KEY", apiKey).WithEnvironment("REGION", region)
            .WithEnvironment("MODEL_URL", ReferenceExpression.Create($"grpc={model.GetEndpoint("grpc")};key={apiKey.Resource}"))
            .WithAutoscalingMetric("queue_lag", 20);
        builder.AddProject("api", "../api/api.csproj")
            .WithHttpEndpoint(name: "http").WithExternalHttpEndpoints().WithHttpHealthCheck("/health").WithServiceDefaultsProbes().WithReference(model);
        extra?.Invoke(builder);
        builder.AddKubernetesAndComposePublishing();
        return builder;
    }

    private async Task<string> PublishAsync(IDistributedApplicationBuilder? builder = null, string? output = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await PublishingApp.PublishAsync(builder ?? CreateApp(output), timeout.Token);
        return output ?? _tree.Output;
    }

    private static List<JsonObject> Base(string output, string name) => YamlDocuments.LoadFile(Path.Combine(output, "kubernetes", "base", name + ".yaml"));

    private static JsonArray Env(JsonObject workload) => workload["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();

    [Fact]
    public async Task ServicesGetAspireVariableNamesWithInClusterAddresses()
    {
        var output = await PublishAsync();
        var worker = Base(output, "worker");
        var config = YamlDocuments.Single(worker, "ConfigMap", "worker-env")["data"]!;

        // Target ports as Aspire assigns them: the project's default http endpoint 8080, others from 8000.
        Assert.Equal("http://model:8000", (string?)config["services__model__grpc__0"]);
        Assert.Equal("http://model:8080", (string?)config["services__model__http__0"]);
        Assert.Equal("worker", (string?)config["OTEL_SERVICE_NAME"]);
        Assert.Equal("8080", (string?)config["HTTP_PORTS"]);
        Assert.Equal("cache", (string?)config["CACHE_HOST"]);
        Assert.Null(config["ConnectionStrings__cache"]); // holds a secret: not in the ConfigMap
        Assert.Null(config["CACHE_URI"]); // needs the URI-encoded password, which a Secret reference cannot give

        var env = Env(YamlDocuments.Single(worker, "Deployment", "worker")).Select(e => e!.AsObject()).ToList();
        string? Value(string name) => (string?)env.Single(e => (string?)e["name"] == name)["value"];
        JsonNode? From(string name) => env.Single(e => (string?)e["name"] == name)["valueFrom"];

        Assert.Equal("cache:6379,password=$(PARAMETER_CACHE_PASSWORD)", Value("ConnectionStrings__cache"));
        Assert.Equal("grpc=http://model:8000;key=$(PARAMETER_API_KEY)", Value("MODEL_URL"));
        Assert.Equal("service.instance.id=$(POD_NAME)", Value("OTEL_RESOURCE_ATTRIBUTES"));
        Assert.Equal("cache-password", (string?)From("PARAMETER_CACHE_PASSWORD")!["secretKeyRef"]!["key"]);
        Assert.Equal("api-key", (string?)From("API_KEY")!["secretKeyRef"]!["key"]);
        Assert.Equal("region", (string?)From("REGION")!["configMapKeyRef"]!["key"]);
        Assert.DoesNotContain(env, e => (string?)e["name"] == "CACHE_URI");

        // $(VAR) only expands variables defined earlier in the list.
        var names = env.Select(e => (string?)e["name"]).ToList();
        Assert.True(names.IndexOf("PARAMETER_CACHE_PASSWORD") < names.IndexOf("ConnectionStrings__cache"));
        Assert.True(names.IndexOf("POD_NAME") < names.IndexOf("OTEL_RESOURCE_ATTRIBUTES"));
    }

    [Fact]
    public async Task AVariableLeftOutIsReportedOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var log = await PublishingApp.PublishAsync(CreateApp(), timeout.Token);

        var warnings = log.Entries.Where(e => e.Message.Contains("CACHE_URI is left out", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("worker", warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2EndpointsGetAnH2cServiceAndAHeadlessOne()
    {
        var output = await PublishAsync();
        var model = Base(output, "model");

        var service = YamlDocuments.Single(model, "Service", "model");
        Assert.Equal("ClusterIP", (string?)service["spec"]!["type"]);
        var grpc = service["spec"]!["ports"]!.AsArray().Single(p => (string?)p!["name"] == "grpc")!;
        Assert.Equal("kubernetes.io/h2c", (string?)grpc["appProtocol"]);
        Assert.Equal("8000", (string?)grpc["port"]);
        Assert.Equal("None", (string?)YamlDocuments.Single(model, "Service", "model-headless")["spec"]!["clusterIP"]);
        Assert.DoesNotContain(Base(output, "api"), o => (string?)o["metadata"]!["name"] == "api-headless");
    }

    [Fact]
    public async Task ReplicasGpusProbesAndAutoscalingFollowTheModel()
    {
        var output = await PublishAsync();

        var worker = YamlDocuments.Single(Base(output, "worker"), "Deployment", "worker");
        Assert.Equal("3", (string?)worker["spec"]!["replicas"]);
        var hpa = YamlDocuments.Single(Base(output, "worker"), "HorizontalPodAutoscaler", "worker");
        Assert.Equal("3", (string?)hpa["spec"]!["minReplicas"]);
        Assert.Equal("12", (string?)hpa["spec"]!["maxReplicas"]);
        var metrics = hpa["spec"]!["metrics"]!.AsArray();
        Assert.Equal("cpu", (string?)metrics[0]!["resource"]!["name"]);
        Assert.Equal("queue_lag", (string?)metrics[1]!["external"]!["metric"]!["name"]);
        Assert.Equal("20", (string?)metrics[1]!["external"]!["target"]!["averageValue"]);
        Assert.DoesNotContain(Base(output, "api"), o => (string?)o["kind"] == "HorizontalPodAutoscaler");

        var model = YamlDocuments.Single(Base(output, "model"), "Deployment", "model");
        var container = model["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("2", (string?)container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("nvidia.com/gpu", (string?)model["spec"]!["template"]!["spec"]!["tolerations"]![0]!["key"]);
        Assert.Equal("/health", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/alive", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/alive", (string?)container["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal("90", (string?)container["startupProbe"]!["failureThreshold"]);
        Assert.Equal("http", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Null(YamlDocuments.Single(Base(output, "api"), "Deployment", "api")["spec"]!["template"]!["spec"]!["tolerations"]);

        var cache = YamlDocuments.Single(Base(output, "cache"), "StatefulSet", "cache");
        Assert.Equal("cache-data", (string?)cache["spec"]!["volumeClaimTemplates"]![0]!["metadata"]!["name"]);
        Assert.Equal("/data", (string?)cache["spec"]!["template"]!["spec"]!["containers"]![0]!["volumeMounts"]![1]!["mountPath"]);
        Assert.Equal("cache-password", (string?)Env(cache).Single(e => (string?)e!["name"] == "REDIS_PASSWORD")!["valueFrom"]!["secretKeyRef"]!["key"]);
    }

    [Fact]
    public async Task DockerfilesCarryTheOptionsAndRunAsTheAppUser()
    {
        var output = await PublishAsync();
        var model = await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "Dockerfile"));

        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0\n", model, StringComparison.Ordinal);
        Assert.Contains("ARG BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0\n", model, StringComparison.Ordinal);
        Assert.Contains("RUN dotnet publish \"model/model.csproj\"", model, StringComparison.Ordinal);
        Assert.Contains("RUN cd /app/publish && rm -f runtimes/linux-x64/native/libfake_cuda_provider.so\n", model, StringComparison.Ordinal);
        Assert.Contains("install -y --no-install-recommends libfoo1", model, StringComparison.Ordinal);
        Assert.Contains("COPY docker/model/files/ /\n", model, StringComparison.Ordinal);
        Assert.Contains("ENV Model__Repository=\"/app/models\"\n", model, StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080 8000\n", model, StringComparison.Ordinal);
        Assert.Contains("USER 1654\n", model, StringComparison.Ordinal);
        Assert.Contains("/dev/tcp/127.0.0.1/8080", model, StringComparison.Ordinal);
        Assert.Contains("GET /alive HTTP/1.0", model, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK", model, StringComparison.Ordinal);
        Assert.EndsWith("ENTRYPOINT [\"dotnet\", \"Test.model.dll\"]\n", model, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", model, StringComparison.Ordinal);

        var gpu = await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "Dockerfile.gpu"));
        Assert.Contains("ARG BASE_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04\n", gpu, StringComparison.Ordinal);
        Assert.Contains("COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet", gpu, StringComparison.Ordinal);
        Assert.Contains("COPY docker/model/files-gpu/ /\n", gpu, StringComparison.Ordinal);
        Assert.DoesNotContain("rm -f", gpu, StringComparison.Ordinal); // the CUDA image keeps the provider libraries
        Assert.Contains("USER 1654\n", gpu, StringComparison.Ordinal);
        Assert.DoesNotContain("files-gpu", model, StringComparison.Ordinal);
        Assert.Equal("cuda provider stand-in", await File.ReadAllTextAsync(Path.Combine(output, "docker", "model", "files-gpu", "app", "libfake_cuda.so")));
        Assert.False(File.Exists(Path.Combine(output, "docker", "worker", "Dockerfile.gpu")));
        Assert.DoesNotContain("apt-get", await File.ReadAllTextAsync(Path.Combine(output, "docker", "api", "Dockerfile")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "docker", "model", "files", "app", "models", "m", "config.json")));
    }

    [Fact]
    public async Task BuildContextHoldsTheProjectClosureWithoutBuildOutput()
    {
        var output = await PublishAsync();
        var src = Path.Combine(output, "src");
        var files = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(src, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            ["Directory.Build.props", "api/api.csproj", "global.json", "lib/Thing.cs", "lib/lib.csproj", "model/model.csproj", "worker/worker.csproj"],
            files);
    }

    [Fact]
    public async Task AspiresOwnManifestIsWrittenBesideTheSteps()
    {
        var output = await PublishAsync();

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "aspire-manifest.json")))!;
        Assert.Equal("project.v0", (string?)manifest["resources"]!["worker"]!["type"]);
        Assert.Equal("container.v0", (string?)manifest["resources"]!["cache"]!["type"]);
    }

    [Fact]
    public async Task ComposeUsesEnvInterpolationForParametersAndHealthGatedDependencies()
    {
        var output = await PublishAsync();
        var compose = YamlDocuments.LoadFile(Path.Combine(output, "compose.yaml")).Single()["services"]!;

        var worker = compose["worker"]!;
        Assert.Equal("cache:6379,password=${PARAMETER_CACHE_PASSWORD:?set PARAMETER_CACHE_PASSWORD in .env}", (string?)worker["environment"]!["ConnectionStrings__cache"]);
        Assert.Equal("http://model:8000", (string?)worker["environment"]!["services__model__grpc__0"]);
        Assert.Equal("3", (string?)worker["deploy"]!["replicas"]);
        Assert.Equal("service_healthy", (string?)worker["depends_on"]!["cache"]!["condition"]);
        Assert.Equal("service_healthy", (string?)worker["depends_on"]!["model"]!["condition"]);
        Assert.Equal("mlaspire/worker:${TAG:-latest}", (string?)worker["image"]);
        Assert.Null(worker["ports"]);
        Assert.Null(compose["model"]!["ports"]);
        Assert.Equal("${API_HTTP_PORT:-8080}:8080", (string?)compose["api"]!["ports"]![0]);
        Assert.StartsWith("${CACHE_IMAGE:-docker.io/library/redis:", (string?)compose["cache"]!["image"], StringComparison.Ordinal);
        Assert.Contains("$$REDIS_PASSWORD", (string?)compose["cache"]!["command"]![1], StringComparison.Ordinal);
        Assert.Equal("cache-data:/data", (string?)compose["cache"]!["volumes"]![0]);

        var gpu = YamlDocuments.LoadFile(Path.Combine(output, "compose.gpu.yaml")).Single()["services"]!;
        Assert.Equal("2", (string?)gpu["model"]!["deploy"]!["resources"]!["reservations"]!["devices"]![0]!["count"]);
        Assert.Equal("docker/model/Dockerfile.gpu", (string?)gpu["model"]!["build"]!["dockerfile"]);
        Assert.Contains("PARAMETER_API_KEY=\n", await File.ReadAllTextAsync(Path.Combine(output, ".env.example")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParameterValuesAreNeverWrittenAnywhere()
    {
        var output = await PublishAsync();

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
        var first = await PublishAsync();
        var filled = Path.Combine(first, "kubernetes", "base", "parameters.env");
        var snapshot = Snapshot(first);
        await File.WriteAllTextAsync(filled, "api-key=filled\ncache-password=filled\n");

        var second = await PublishAsync(output: Path.Combine(_tree.Root, "publish-out-2"));
        Assert.Equal(snapshot, Snapshot(second));

        await PublishAsync(CreateApp(first));
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
        var builder = CreateApp(extra: b => b.AddExecutable("tool", "python3", ".", "x.py"));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder));
        Assert.Contains("'tool'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be published as a container", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingImageFileIsReportedByName()
    {
        var builder = CreateApp(extra: b => b.CreateResourceBuilder((ProjectResource)b.Resources.Single(r => r.Name == "api"))
            .WithDockerfileOptions(o => o.CopyFile("../native/missing.so", "/app/missing.so")));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder));
        Assert.Contains("missing.so", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOutputFolderHoldingTheSourcesIsRefusedBeforeAnythingIsDeleted()
    {
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(CreateApp(_tree.Root)));

        Assert.Contains("contains the sources", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_tree.Root, "lib", "Thing.cs")));
        Assert.False(Directory.Exists(Path.Combine(_tree.Root, "kubernetes")));
    }

    [Fact]
    public async Task AnOutputFolderInsideTheAppHostFolderIsRefused()
    {
        var output = Path.Combine(_tree.AppHostDirectory, "aspire-output");

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(CreateApp(output)));

        Assert.Contains("lies inside the project folder", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(output, "src")));
    }

    [Fact]
    public async Task AFolderWithForeignSourcesIsRefused()
    {
        var foreign = Path.Combine(_tree.Root, "elsewhere");
        _tree.Write("elsewhere/src/keep.cs", "mine");

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(CreateApp(foreign)));

        Assert.Contains("that an earlier publish did not write", error.Message, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(foreign, "src", "keep.cs")));
    }

    [Fact]
    public async Task AnInvalidImageTagStopsPublishingNamingTheKey()
    {
        var builder = CreateApp(args: "--ContainerImages:Tag=not a tag");

        var error = await Record.ExceptionAsync(() => PublishAsync(builder));

        Assert.NotNull(error);
        Assert.Contains("ContainerImages:Tag", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_tree.Output, "compose.yaml")));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task BuildAndPushRunTheDockerCliForEveryProjectImage()
    {
        // A stand-in for the Docker CLI that records its arguments: what is under test is which commands we run.
        var calls = Path.Combine(_tree.Root, "docker-calls.txt");
        _tree.Write("fake-docker.sh", $"#!/bin/sh\necho \"$*\" >> '{calls}'\necho building $2\n");
        File.SetUnixFileMode(Path.Combine(_tree.Root, "fake-docker.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await PublishAsync(CreateApp(args: [
            "--ContainerImages:PushRegistry=registry.example.com:5000", "--ContainerImages:BuildArgs:BASE_IMAGE=local/aspnet:10.0",
            "--ContainerImages:DockerCommand=" + Path.Combine(_tree.Root, "fake-docker.sh")]));

        var lines = await File.ReadAllLinesAsync(calls);
        var output = _tree.Output;
        Assert.Equal(
        [
            $"build --file {output}/docker/model/Dockerfile --tag mlaspire/model:t1 --build-arg BASE_IMAGE=local/aspnet:10.0 {output}",
            $"build --file {output}/docker/worker/Dockerfile --tag mlaspire/worker:t1 --build-arg BASE_IMAGE=local/aspnet:10.0 {output}",
            $"build --file {output}/docker/api/Dockerfile --tag mlaspire/api:t1 --build-arg BASE_IMAGE=local/aspnet:10.0 {output}",
            "tag mlaspire/model:t1 registry.example.com:5000/mlaspire/model:t1",
            "push registry.example.com:5000/mlaspire/model:t1",
            "tag mlaspire/worker:t1 registry.example.com:5000/mlaspire/worker:t1",
            "push registry.example.com:5000/mlaspire/worker:t1",
            "tag mlaspire/api:t1 registry.example.com:5000/mlaspire/api:t1",
            "push registry.example.com:5000/mlaspire/api:t1",
        ], lines);
    }

    [Fact]
    public async Task ImagesAreNotBuiltUnlessAsked()
    {
        var log = await PublishingApp.PublishAsync(CreateApp(args: "--ContainerImages:DockerCommand=/nonexistent/docker"));

        Assert.Contains(log.Entries, e => e.Message.StartsWith("Images are not built", StringComparison.Ordinal));
    }

    [Fact]
    public void ImagePathsMustBeAbsoluteAndPublishPathsRelative()
    {
        var options = new DockerfileOptionsAnnotation { BaseDirectory = _tree.Root };

        Assert.Throws<ArgumentException>(() => options.CopyFile("a", "relative/path"));
        Assert.Throws<ArgumentException>(() => options.CopyFile("a", "/app/../etc/passwd"));
        Assert.Throws<ArgumentException>(() => options.KeepOnlyInGpuImage("/abs/lib.so"));
        Assert.Throws<ArgumentException>(() => options.KeepOnlyInGpuImage("a/../../lib.so"));
        Assert.Throws<ArgumentException>(() => options.KeepOnlyInGpuImage("lib$(x).so"));
    }
}
