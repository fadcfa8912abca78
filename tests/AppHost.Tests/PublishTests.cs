using System.Text.Json.Nodes;
using MlAspire.Publishing.Tests;
using Xunit.Abstractions;

namespace MlAspire.AppHost.Tests;

/// <summary>The real AppHost published as a user does (<c>--operation publish --step publish --output-path</c>, a
/// child process): every Kubernetes object validates against the official schemas (npm kubernetes-models), every
/// overlay renders with <c>kubectl kustomize</c>, the rendered objects carry replicas, probes, GPU limits, secret
/// references, the worker's autoscaler and restricted pods, and compose validates with <c>docker compose config</c>
/// where it is installed.</summary>
public sealed class PublishTests(PublishedAppHost published, ITestOutputHelper log) : IClassFixture<PublishedAppHost>
{
    private static string ValidationFolder => Path.Combine(AppHostRunner.RepoRoot, "tests", "KubernetesValidation");

    private string Output => published.Output;

    /// <summary>kubectl kustomize output for base, dev and prod; the test is reported skipped when kubectl is absent.</summary>
    private async Task<Dictionary<string, string>> RenderAsync(CancellationToken cancellationToken)
    {
        var kubectl = ExternalTool.Find("kubectl");
        Skip.If(kubectl is null, "kustomize rendering needs kubectl on PATH; install it to run this check.");

        var rendered = new Dictionary<string, string>();
        foreach (var target in new[] { "base", "overlays/dev", "overlays/prod" })
        {
            var (exitCode, stdout, stderr) = await ExternalTool.RunAsync(kubectl!, ["kustomize", Path.Combine(Output, "kubernetes", target)], cancellationToken);
            Assert.True(exitCode == 0, $"kubectl kustomize {target} failed: {stderr}");
            rendered[target] = stdout;
        }

        return rendered;
    }

    private async Task<string> ValidateAsync(IEnumerable<string> args, string? stdin, CancellationToken cancellationToken)
    {
        var node = ExternalTool.Find("node") ?? throw new InvalidOperationException("node is not on PATH (eng/setup.sh installs nodejs)");
        Assert.True(Directory.Exists(Path.Combine(ValidationFolder, "node_modules", "kubernetes-models")),
            "tests/KubernetesValidation/node_modules is missing: run eng/setup.sh (npm ci there)");
        var (exitCode, stdout, stderr) = await ExternalTool.RunAsync(node, ["validate.mjs", .. args], cancellationToken, ValidationFolder, stdin);
        log.WriteLine(stdout);
        Assert.True(exitCode == 0, stdout + stderr);
        return stdout;
    }

    [Fact]
    public async Task EveryGeneratedKubernetesObjectValidatesAgainstTheOfficialSchemas()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var files = Directory.EnumerateFiles(Path.Combine(Output, "kubernetes"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var summary = await ValidateAsync(files, null, timeout.Token);

        // Base: redis 2 (StatefulSet, Service), inference 4 (ConfigMap, Deployment, Service, headless Service),
        // preprocessing 4 (ConfigMap, Deployment, Service, HPA), gateway 3; plus the prod Ingress.
        Assert.Contains("validated 14 objects, 0 errors", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheValidatorRejectsAnInvalidObject()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var node = ExternalTool.Find("node")!;
        const string Broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n";

        var (exitCode, stdout, _) = await ExternalTool.RunAsync(node, ["validate.mjs", "-"], timeout.Token, ValidationFolder, Broken);

        Assert.Equal(1, exitCode);
        Assert.Contains("/spec/replicas", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task EveryOverlayRendersAndItsObjectsValidate()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var rendered = await RenderAsync(timeout.Token);

        foreach (var (target, yaml) in rendered)
        {
            var summary = await ValidateAsync(["-"], yaml, timeout.Token);
            Assert.Contains(" 0 errors", summary, StringComparison.Ordinal);
            Assert.NotEmpty(YamlDocuments.Load(yaml));
            log.WriteLine($"{target}: {summary.Trim().Split('\n')[^1]}");
        }
    }

    [SkippableFact]
    public async Task RenderedObjectsCarryReplicasProbesGpuLimitsSecretsAutoscalingAndRestrictedPods()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var rendered = await RenderAsync(timeout.Token);

        foreach (var (target, yaml) in rendered)
        {
            Assert.DoesNotContain(published.Secret, yaml, StringComparison.Ordinal);
            var objects = YamlDocuments.Load(yaml);
            var secret = objects.Single(o => (string?)o["kind"] == "Secret");
            var secretName = (string)secret["metadata"]!["name"]!;
            Assert.StartsWith("parameters-", secretName, StringComparison.Ordinal); // secretGenerator, hashed name
            Assert.Equal("", (string?)secret["data"]!["redis-password"]); // the placeholder, never the value

            foreach (var workload in objects.Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet"))
            {
                var name = (string)workload["metadata"]!["name"]!;
                var pod = workload["spec"]!["template"]!["spec"]!;
                Assert.Equal("true", (string?)pod["securityContext"]!["runAsNonRoot"]);
                Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
                Assert.Contains(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == "tmp" && v["emptyDir"] is not null);
                foreach (var container in pod["containers"]!.AsArray())
                {
                    var security = container!["securityContext"]!;
                    Assert.Equal("false", (string?)security["allowPrivilegeEscalation"]);
                    Assert.Equal("true", (string?)security["readOnlyRootFilesystem"]);
                    Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
                    Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]);
                    Assert.Contains(container["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/tmp");
                    Assert.NotNull(container["resources"]!["requests"]);
                    Assert.NotNull(container["resources"]!["limits"]);
                    foreach (var reference in (container["env"]?.AsArray() ?? []).Select(e => e!["valueFrom"]?["secretKeyRef"]).Where(r => r is not null))
                    {
                        Assert.Equal(secretName, (string?)reference!["name"]);
                    }

                    if (name != "redis")
                    {
                        Assert.Equal("/health", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
                        Assert.Equal("/alive", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
                        Assert.Equal("/alive", (string?)container["startupProbe"]!["httpGet"]!["path"]);
                    }
                    else
                    {
                        Assert.Contains("redis-cli ping", (string?)container["readinessProbe"]!["exec"]!["command"]![2], StringComparison.Ordinal);
                    }
                }
            }

            foreach (var service in objects.Where(o => (string?)o["kind"] == "Service"))
            {
                Assert.Equal("ClusterIP", (string?)service["spec"]!["type"]);
            }

            // Only the gateway (WithExternalHttpEndpoints) is reachable from outside the cluster: the inference
            // service and Redis have ClusterIP Services only, and no Ingress rule leads to them.
            var backends = objects.Where(o => (string?)o["kind"] == "Ingress")
                .SelectMany(i => i["spec"]!["rules"]!.AsArray())
                .SelectMany(r => r!["http"]!["paths"]!.AsArray())
                .Select(p => (string?)p!["backend"]!["service"]!["name"])
                .ToList();
            Assert.All(backends, b => Assert.Equal("gateway", b));
            Assert.Equal(target == "overlays/prod", backends.Count > 0);

            var hpa = objects.Single(o => (string?)o["kind"] == "HorizontalPodAutoscaler");
            Assert.Equal("preprocessing", (string?)hpa["spec"]!["scaleTargetRef"]!["name"]);
            Assert.Equal(
                ["cpu", "mlaspire_worker_queue_lag"],
                hpa["spec"]!["metrics"]!.AsArray().Select(m => (string?)(m!["resource"]?["name"] ?? m["external"]!["metric"]!["name"])));

            var byName = objects.Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet").ToDictionary(o => (string)o["metadata"]!["name"]!);
            string Replicas(string name) => (string)byName[name]["spec"]!["replicas"]!;
            JsonNode Container(string name) => byName[name]["spec"]!["template"]!["spec"]!["containers"]![0]!;
            string Image(string name) => (string)Container(name)["image"]!;
            var gpuLimit = (string?)Container("inference")["resources"]!["limits"]!["nvidia.com/gpu"];
            var gatewayEnv = Container("gateway")["env"]!.AsArray();
            Assert.Equal("redis:6379,password=$(PARAMETER_REDIS_PASSWORD)", (string?)gatewayEnv.Single(e => (string?)e!["name"] == "ConnectionStrings__redis")!["value"]);
            Assert.Equal("redis-password", (string?)gatewayEnv.Single(e => (string?)e!["name"] == "PARAMETER_REDIS_PASSWORD")!["valueFrom"]!["secretKeyRef"]!["key"]);
            var gatewayConfig = objects.Single(o => (string?)o["kind"] == "ConfigMap" && (string?)o["metadata"]!["name"] == "gateway-env")["data"]!;
            Assert.Equal("http://inference:8000", (string?)gatewayConfig["services__inference__grpc__0"]);
            Assert.Equal("gateway", (string?)gatewayConfig["OTEL_SERVICE_NAME"]);

            switch (target)
            {
                case "base":
                    Assert.Equal(("2", "1", "1"), (Replicas("preprocessing"), Replicas("gateway"), Replicas("inference")));
                    Assert.Equal("1", gpuLimit);
                    Assert.Equal("mlaspire/inference:latest", Image("inference"));
                    Assert.Contains(objects, o => (string?)o["kind"] == "Service" && (string?)o["metadata"]!["name"] == "inference-headless");
                    Assert.Equal("1Gi", (string?)byName["redis"]["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]);
                    break;
                case "overlays/dev":
                    Assert.Equal(("1", "1"), (Replicas("preprocessing"), Replicas("gateway")));
                    Assert.Null(gpuLimit);
                    Assert.Equal("mlaspire/inference:dev", Image("inference"));
                    break;
                case "overlays/prod":
                    Assert.Equal(("2", "2", "2"), (Replicas("preprocessing"), Replicas("gateway"), Replicas("inference")));
                    Assert.Equal("1", gpuLimit);
                    Assert.Equal("registry.example.com/mlaspire/inference-gpu:1.0.0", Image("inference"));
                    Assert.Equal("registry.example.com/mlaspire/gateway:1.0.0", Image("gateway"));
                    break;
            }
        }
    }

    /// <summary>Independent of kubectl: every name an overlay uses (resources, images, replicas, patch targets)
    /// exists in what it builds on, so a kustomize without kubectl would resolve it too.</summary>
    [Fact]
    public void OverlaysReferOnlyToWhatTheBaseDefines()
    {
        var kubernetes = Path.Combine(Output, "kubernetes");
        var baseKustomization = YamlDocuments.LoadFile(Path.Combine(kubernetes, "base", "kustomization.yaml")).Single();
        var baseObjects = baseKustomization["resources"]!.AsArray()
            .SelectMany(r => YamlDocuments.LoadFile(Path.Combine(kubernetes, "base", (string)r!))).ToList();
        var workloads = baseObjects.Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet").ToList();
        var images = workloads.Select(w => ((string)w["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!).Split(':')[0]).ToHashSet();
        foreach (var generator in baseKustomization["secretGenerator"]!.AsArray())
        {
            Assert.True(File.Exists(Path.Combine(kubernetes, "base", (string)generator!["envs"]![0]!)));
        }

        foreach (var overlay in new[] { "dev", "prod" })
        {
            var folder = Path.Combine(kubernetes, "overlays", overlay);
            var kustomization = YamlDocuments.LoadFile(Path.Combine(folder, "kustomization.yaml")).Single();
            foreach (var resource in kustomization["resources"]!.AsArray().Select(r => Path.GetFullPath(Path.Combine(folder, (string)r!))))
            {
                Assert.True(File.Exists(resource) || File.Exists(Path.Combine(resource, "kustomization.yaml")), resource);
            }

            foreach (var image in kustomization["images"]!.AsArray())
            {
                Assert.Contains((string)image!["name"]!, images);
            }

            foreach (var replicas in kustomization["replicas"]!.AsArray())
            {
                Assert.Contains(workloads, w => (string?)w["metadata"]!["name"] == (string?)replicas!["name"]);
            }

            foreach (var patch in kustomization["patches"]?.AsArray() ?? [])
            {
                var target = workloads.Single(w => (string?)w["kind"] == (string?)patch!["target"]!["kind"] && (string?)w["metadata"]!["name"] == (string?)patch["target"]!["name"]);
                Assert.NotNull(target["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]);
                Assert.NotNull(target["spec"]!["template"]!["spec"]!["tolerations"]);
            }
        }
    }

    [Fact]
    public async Task NoParameterValueIsWrittenAnywhere()
    {
        foreach (var file in Directory.EnumerateFiles(Output, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/src/", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(published.Secret, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        Assert.Equal(".env\n", (await File.ReadAllTextAsync(Path.Combine(Output, ".gitignore"))).Split('\n', 2)[1]);
        Assert.Contains("base/parameters.env", await File.ReadAllTextAsync(Path.Combine(Output, "kubernetes", ".gitignore")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutputHasEveryArtifactAndAspiresManifest()
    {
        foreach (var service in new[] { "inference", "preprocessing", "gateway" })
        {
            Assert.True(File.Exists(Path.Combine(Output, "docker", service, "Dockerfile")), service);
        }

        // ONNX Runtime comes from its NuGet package: the CPU image drops the CUDA/TensorRT providers the CUDA image keeps.
        var cpu = await File.ReadAllTextAsync(Path.Combine(Output, "docker", "inference", "Dockerfile"));
        var gpu = await File.ReadAllTextAsync(Path.Combine(Output, "docker", "inference", "Dockerfile.gpu"));
        Assert.Contains("rm -f runtimes/linux-x64/native/libonnxruntime_providers_cuda.so runtimes/linux-x64/native/libonnxruntime_providers_tensorrt.so", cpu, StringComparison.Ordinal);
        Assert.DoesNotContain("libonnxruntime_providers_cuda", gpu, StringComparison.Ordinal);
        Assert.Contains("ARG BASE_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04", gpu, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Output, "docker", "inference", "files", "app", "models", "digits", "config.json")));
        Assert.Contains("libturbojpeg0 libspng0", await File.ReadAllTextAsync(Path.Combine(Output, "docker", "preprocessing", "Dockerfile")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Output, "src", "Inference.Service", "Inference.Service.csproj")));
        Assert.False(Directory.Exists(Path.Combine(Output, "src", "AppHost")));
        Assert.False(Directory.Exists(Path.Combine(Output, "src", "tests")));

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "aspire-manifest.json")))!;
        Assert.Equal("project.v0", (string?)manifest["resources"]!["inference"]!["type"]);
    }

    [SkippableFact]
    public async Task ComposeFileIsValidForDockerCompose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var compose = YamlDocuments.LoadFile(Path.Combine(Output, "compose.yaml")).Single()["services"]!;
        Assert.Equal("2", (string?)compose["preprocessing"]!["deploy"]!["replicas"]);
        Assert.Equal("http://inference:8000", (string?)compose["preprocessing"]!["environment"]!["services__inference__grpc__0"]);
        // Only the gateway publishes a port on the Docker host; inference and Redis stay on the compose network.
        Assert.Null(compose["inference"]!["ports"]);
        Assert.Null(compose["redis"]!["ports"]);
        Assert.NotNull(compose["gateway"]!["ports"]);

        // `docker compose` (the plugin) or the standalone docker-compose, whichever this machine has.
        var (tool, prefix) = await FindComposeAsync(timeout.Token);
        Skip.If(tool is null, "docker compose config needs Docker Compose (the docker compose plugin or docker-compose); neither is installed here.");

        var (exitCode, stdout, stderr) = await ExternalTool.RunAsync(tool!, [.. prefix, "-f", "compose.yaml", "-f", "compose.gpu.yaml", "config", "--quiet"], timeout.Token, Output,
            environment: new Dictionary<string, string> { ["PARAMETER_REDIS_PASSWORD"] = "x" });
        Assert.True(exitCode == 0, stdout + stderr);

        (exitCode, _, stderr) = await ExternalTool.RunAsync(tool!, [.. prefix, "-f", "compose.yaml", "config", "--quiet"], timeout.Token, Output,
            environment: new Dictionary<string, string> { ["PARAMETER_REDIS_PASSWORD"] = "" });
        Assert.NotEqual(0, exitCode); // an unset secret stops compose with a message instead of starting Redis without a password
        Assert.Contains("PARAMETER_REDIS_PASSWORD", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedStepExitsOneAndSaysWhy()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = Directory.CreateTempSubdirectory("mlaspire-publish-foreign-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(output, "src"));

            var (exitCode, stdout, stderr) = await AppHostRunner.RunAppHostAsync(
                AppHostRunner.RepoRoot, timeout.Token, "--operation", "publish", "--step", "publish", "--output-path", output);

            Assert.Equal(1, exitCode);
            Assert.Contains("already has src/ or docker/ that an earlier publish did not write", stdout + stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(output, "kubernetes")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<(string? Tool, string[] Prefix)> FindComposeAsync(CancellationToken cancellationToken)
    {
        if (ExternalTool.Find("docker") is { } docker && (await ExternalTool.RunAsync(docker, ["compose", "version"], cancellationToken)).ExitCode == 0)
        {
            return (docker, ["compose"]);
        }

        return (ExternalTool.Find("docker-compose"), []);
    }
}
