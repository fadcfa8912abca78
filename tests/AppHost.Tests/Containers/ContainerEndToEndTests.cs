using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace MlAspire.AppHost.Tests.Containers;

/// <summary>The whole publish path on a real Docker engine: local stand-in base images (debootstrap +
/// <c>docker import</c>, since no image registry is reachable), the AppHost's publish steps with
/// <c>ContainerImages:Build=true</c> building every service image,
/// the generated compose file run with docker-compose until every container is healthy, then everything the
/// test created is removed. Where the engine cannot run, the test is reported skipped with exactly why;
/// CI starts dockerd through eng/setup.sh so that it runs there.</summary>
public sealed class ContainerEndToEndTests(ITestOutputHelper log)
{
    private static readonly string[] s_services = ["inference", "preprocessing", "gateway"];
    private static readonly string[] s_baseImages = ["mlaspire-local/debian:bookworm", "mlaspire-local/aspnet:10.0", "mlaspire-local/sdk:10.0", "mlaspire-local/redis:7"];

    [SkippableFact]
    public async Task PublishedImagesRunTheWholeSystemWithCompose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(25));
        var ct = timeout.Token;
        var reason = await WhyContainersCannotRunAsync(ct);
        Skip.If(reason is not null, "container end-to-end test: " + reason);

        var docker = ExternalTool.Find("docker")!;
        var compose = ExternalTool.Find("docker-compose")!;
        var id = Guid.NewGuid().ToString("N")[..10];
        var tag = "e2e-" + id;
        var project = "mlaspire-e2e-" + id;
        var output = Path.Combine(Path.GetTempPath(), "mlaspire-e2e-" + id);
        var existingBaseImages = new List<string>();
        foreach (var image in s_baseImages)
        {
            if ((await ExternalTool.RunAsync(docker, ["image", "inspect", image], ct)).ExitCode == 0)
            {
                existingBaseImages.Add(image);
            }
        }

        var danglingBefore = await DanglingImagesAsync(docker, ct);
        try
        {
            var script = Path.Combine(AppContext.BaseDirectory, "Containers", "build-local-base-images.sh");
            var (baseExit, _, baseErr) = await ExternalTool.RunAsync("/bin/bash", [script], ct, onLine: log.WriteLine);
            Assert.True(baseExit == 0, "building the local base images failed: " + baseErr);

            var (exitCode, stdout, stderr) = await AppHostRunner.RunAppHostAsync(AppHostRunner.RepoRoot, ct,
                "--operation", "publish", "--step", "publish", "--output-path", output,
                "--ContainerImages:Build=true", "--ContainerImages:Tag=" + tag,
                "--ContainerImages:BuildArgs:SDK_IMAGE=mlaspire-local/sdk:10.0", "--ContainerImages:BuildArgs:BASE_IMAGE=mlaspire-local/aspnet:10.0");
            log.WriteLine(string.Join('\n', stdout.Split('\n').TakeLast(40)));
            Assert.True(exitCode == 0, stderr + stdout[^Math.Min(4000, stdout.Length)..]);
            foreach (var service in s_services)
            {
                var (inspectExit, _, inspectErr) = await ExternalTool.RunAsync(docker, ["image", "inspect", $"mlaspire/{service}:{tag}"], ct);
                Assert.True(inspectExit == 0, $"the build-container-images step did not produce mlaspire/{service}:{tag}: {inspectErr}");
            }

            var port = FreeLoopbackPort();
            await File.WriteAllTextAsync(Path.Combine(output, ".env"),
                $"PARAMETER_REDIS_PASSWORD={Guid.NewGuid():N}\nREDIS_IMAGE=mlaspire-local/redis:7\nTAG={tag}\nGATEWAY_HTTP_PORT={port}\n", ct);
            var (upExit, upOut, upErr) = await ExternalTool.RunAsync(compose, ["-p", project, "up", "-d", "--no-build"], ct, output);
            Assert.True(upExit == 0, upOut + upErr);

            var containers = await WaitForHealthyAsync(docker, compose, project, output, expected: 5, ct);
            Assert.Equal(5, containers.Count); // redis, inference, 2 x preprocessing (deploy.replicas), gateway

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

            // Inference is not published to the host: ask its own loopback, inside the container.
            var (_, inferenceHealth, _) = await ExternalTool.RunAsync(docker, ["exec", $"{project}_inference_1", "bash", "-c",
                "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3"], ct);
            Assert.Contains("1 model(s) ready", inferenceHealth, StringComparison.Ordinal);

            var (_, uid, _) = await ExternalTool.RunAsync(docker, ["exec", $"{project}_gateway_1", "id", "-u"], ct);
            Assert.Equal("1654", uid.Trim());

            // Compose's healthcheck probes readiness (/health); the image's own HEALTHCHECK probes liveness (/alive)
            // with bash only (no curl in the image): run exactly that command in each service container.
            foreach (var service in s_services)
            {
                var (_, testJson, _) = await ExternalTool.RunAsync(docker, ["image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", $"mlaspire/{service}:{tag}"], ct);
                var test = System.Text.Json.JsonSerializer.Deserialize<string[]>(testJson)!;
                Assert.Equal(["CMD", "bash", "-c"], test[..3]);
                Assert.Contains("GET /alive ", test[3], StringComparison.Ordinal);
                var (probeExit, _, probeErr) = await ExternalTool.RunAsync(docker, ["exec", $"{project}_{service}_1", .. test[1..]], ct);
                Assert.True(probeExit == 0, $"{service}: the image's HEALTHCHECK failed: {probeErr}");
                var (curlExit, _, _) = await ExternalTool.RunAsync(docker, ["exec", $"{project}_{service}_1", "bash", "-c", "command -v curl || command -v wget"], ct);
                Assert.NotEqual(0, curlExit);
            }

            // Digits in, predictions out, through the containerized gateway, Redis, workers and inference service.
            var digits = Directory.GetFiles(Path.Combine(AppHostRunner.RepoRoot, "models", "digits", "testdata"), "*.png")
                .Order(StringComparer.Ordinal).Take(20).ToList();
            var correct = 0;
            foreach (var png in digits)
            {
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(png, ct));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
                using var classified = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/v1/models/digits:classify"), content, ct);
                Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
                using var body = System.Text.Json.JsonDocument.Parse(await classified.Content.ReadAsStringAsync(ct));
                var label = Path.GetFileNameWithoutExtension(png).Split('_')[1];
                correct += body.RootElement.GetProperty("predictions")[0].GetProperty("label").GetString() == label ? 1 : 0;
            }

            log.WriteLine($"{correct}/20 digits classified correctly through the containerized gateway");
            Assert.True(correct >= 19, $"{correct}/20 digits classified correctly through the containers");
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            if (File.Exists(Path.Combine(output, "compose.yaml")))
            {
                var down = await ExternalTool.RunAsync(compose, ["-p", project, "down", "-v", "--remove-orphans"], cleanup.Token, output);
                log.WriteLine("compose down: " + down.ExitCode + " " + down.Stderr.Trim().Split('\n')[^1]);
            }

            foreach (var service in s_services)
            {
                await ExternalTool.RunAsync(docker, ["rmi", "--force", $"mlaspire/{service}:{tag}"], cleanup.Token);
            }

            var created = (await DanglingImagesAsync(docker, cleanup.Token)).Except(danglingBefore).ToList();
            if (created.Count > 0)
            {
                await ExternalTool.RunAsync(docker, ["rmi", "--force", .. created], cleanup.Token);
            }

            foreach (var image in s_baseImages.Except(existingBaseImages).Reverse())
            {
                await ExternalTool.RunAsync(docker, ["rmi", image], cleanup.Token);
            }

            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>Null when the Docker engine, docker-compose and debootstrap are usable; otherwise why not.</summary>
    private static async Task<string?> WhyContainersCannotRunAsync(CancellationToken cancellationToken)
    {
        var docker = ExternalTool.Find("docker");
        if (docker is null)
        {
            return "no docker CLI on PATH (eng/setup.sh installs docker.io when CI=true).";
        }

        var (exitCode, _, stderr) = await ExternalTool.RunAsync(docker, ["info", "--format", "{{.ServerVersion}}"], cancellationToken);
        if (exitCode != 0)
        {
            return "the Docker engine is not reachable (`docker info`: " + stderr.Trim() + "); start dockerd (eng/setup.sh does when CI=true).";
        }

        if (ExternalTool.Find("docker-compose") is null)
        {
            return "docker-compose is not installed (Debian package docker-compose).";
        }

        if (ExternalTool.Find("debootstrap") is null && !File.Exists("/usr/sbin/debootstrap"))
        {
            return "debootstrap is not installed; it builds the local base image (no image registry is reachable).";
        }

        if (Environment.UserName != "root")
        {
            return "building the local base image needs root (debootstrap, chroot).";
        }

        return null;
    }

    private async Task<List<string>> WaitForHealthyAsync(string docker, string compose, string project, string folder, int expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        var last = "";
        while (true)
        {
            var (_, ids, _) = await ExternalTool.RunAsync(compose, ["-p", project, "ps", "-q"], cancellationToken, folder);
            var containers = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (containers.Count > 0)
            {
                var (_, states, _) = await ExternalTool.RunAsync(docker,
                    ["inspect", "--format", "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", .. containers], cancellationToken);
                last = states;
                var lines = states.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length >= expected && lines.All(l => l.EndsWith(" running healthy", StringComparison.Ordinal)))
                {
                    log.WriteLine(states);
                    return [.. lines];
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                var (_, logs, logErr) = await ExternalTool.RunAsync(compose, ["-p", project, "logs", "--tail", "30"], cancellationToken, folder);
                Assert.Fail($"Containers did not all become healthy:\n{last}\n{logs}{logErr}");
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }
    }

    private static async Task<HashSet<string>> DanglingImagesAsync(string docker, CancellationToken cancellationToken)
    {
        var (_, stdout, _) = await ExternalTool.RunAsync(docker, ["images", "--filter", "dangling=true", "--quiet", "--no-trunc"], cancellationToken);
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
