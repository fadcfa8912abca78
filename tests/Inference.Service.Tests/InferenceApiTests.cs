using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using MlAspire.Imaging;
using MlAspire.Inference.Protocol;
using MlAspire.Tests.Shared;

namespace MlAspire.Inference.Service.Tests;

public sealed class InferenceApiTests(InferenceServerFixture server) : IClassFixture<InferenceServerFixture>
{
    private GRPCInferenceService.GRPCInferenceServiceClient Client => server.Client;

    private static ModelInferRequest InferRequest(float[] image, string model = "digits") => new()
    {
        ModelName = model,
        Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, 28, 28 } } },
        RawInputContents = { ByteString.CopyFrom(MemoryMarshal.AsBytes(image.AsSpan())) },
    };

    private static int ArgMax(ModelInferResponse response)
    {
        var logits = MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span);
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            best = logits[i] > logits[best] ? i : best;
        }

        return best;
    }

    [Fact]
    public async Task HeldOutDigitPngsAreClassifiedWithAtLeast97PercentAccuracy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "digits" }, Timeout(TimeSpan.FromSeconds(10), cts.Token));
        var spec = SpecFrom(metadata);
        var pngs = Directory.GetFiles(Path.Combine(TestModels.DigitsDirectory, "testdata"), "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(100, pngs.Count);

        var correct = 0;
        foreach (var png in pngs)
        {
            var tensor = new float[spec.TensorLength];
            ImagePreprocessor.Preprocess(await File.ReadAllBytesAsync(png, cts.Token), spec, tensor, ImageLimits.Default);
            var response = await Client.ModelInferAsync(InferRequest(tensor), Timeout(TimeSpan.FromSeconds(10), cts.Token));
            var label = int.Parse(Path.GetFileNameWithoutExtension(png).Split('_')[1], CultureInfo.InvariantCulture);
            correct += ArgMax(response) == label ? 1 : 0;
        }

        Assert.True(correct >= 97, $"{correct}/100 held-out digits classified correctly");
    }

    [Fact]
    public async Task APythonGrpcioClientGeneratedFromTheSpecGetsTheSameAnswers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        const int count = 10;
        var (images, _) = TestModels.HeldOut();
        var stubs = Directory.CreateTempSubdirectory("kserve-stubs-").FullName;
        try
        {
            var protoDir = Path.Combine(RepoRoot.Find(), "Inference.Service", "Protos");
            await RunAsync("/usr/bin/python3", ["-m", "grpc_tools.protoc", $"-I{protoDir}", $"--python_out={stubs}", $"--grpc_python_out={stubs}", "grpc_predict_v2.proto"], cts.Token);
            var output = await RunAsync("/usr/bin/python3", [
                Path.Combine(AppContext.BaseDirectory, "Python", "kserve_client.py"), stubs, $"{server.Address.Host}:{server.Address.Port}",
                Path.Combine(TestModels.DigitsDirectory, "testdata", "heldout.f32"), count.ToString(CultureInfo.InvariantCulture)], cts.Token);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            Assert.Contains("META input FP32 -1 1 28 28", lines);
            for (var i = 0; i < count; i++)
            {
                var ours = await Client.ModelInferAsync(InferRequest(images[i]), Timeout(TimeSpan.FromSeconds(10), cts.Token));
                var expected = $"OUT {i} {Convert.ToHexStringLower(ours.RawOutputContents[0].Span)}";
                Assert.Contains(expected, lines);
            }

            Assert.Contains(lines, l => l.StartsWith("ERR NOT_FOUND Model 'no-such-model' is not in the repository.", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(stubs, recursive: true);
        }
    }

    [Fact]
    public async Task ConcurrentSingleImageCallersAreBatchedAndMatchUnbatchedAnswers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (images, _) = TestModels.HeldOut();
        var alone = new List<byte[]>();
        for (var i = 0; i < 32; i++)
        {
            var response = await Client.ModelInferAsync(InferRequest(images[i]), Timeout(TimeSpan.FromSeconds(10), cts.Token));
            alone.Add(response.RawOutputContents[0].ToByteArray());
        }

        ModelInferResponse[] together = [];
        var executions = await server.CountAsync("nv_inference_exec_count", InferenceServerFixture.PatientDigits, async () =>
        {
            using var start = new ManualResetEventSlim();
            var calls = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
            {
                start.Wait(cts.Token);
                return await Client.ModelInferAsync(InferRequest(images[i], InferenceServerFixture.PatientDigits), Timeout(TimeSpan.FromSeconds(20), cts.Token));
            })).ToList();
            start.Set();
            together = await Task.WhenAll(calls);
        });

        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(alone[i], together[i].RawOutputContents[0].ToByteArray());
        }

        Assert.InRange(executions, 1, 16);
    }

    [Fact]
    public async Task ServerAndModelMetadataDescribeTheDigitsModel()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var options = Timeout(TimeSpan.FromSeconds(10), cts.Token);

        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest(), options)).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest(), options)).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = "digits" }, options)).Ready);
        var serverMetadata = await Client.ServerMetadataAsync(new ServerMetadataRequest(), options);
        Assert.Equal("mlaspire", serverMetadata.Name);
        Assert.Contains("classification", serverMetadata.Extensions);

        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "digits" }, options);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal("logits", metadata.Outputs.Single().Name);
        Assert.Equal([-1L, 10], metadata.Outputs.Single().Shape);
        Assert.Equal(64, metadata.Parameters["max_batch_size"].Int64Param);
        Assert.Equal("CPUExecutionProvider", metadata.Parameters["execution_provider"].StringParam);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)),
            JsonSerializer.Deserialize<string[]>(metadata.Parameters["labels"].StringParam));

        var index = await Client.RepositoryIndexAsync(new RepositoryIndexRequest(), options);
        Assert.Contains(index.Models, m => m.Name == "digits" && m.State == "READY" && m.Version == "1");
    }

    [Fact]
    public async Task GrpcHealthServesForTheServerAndTheInferenceServiceOnceAModelIsReady()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var health = new Health.HealthClient(server.Channel);

        foreach (var service in new[] { "", "inference.GRPCInferenceService" })
        {
            var response = await health.CheckAsync(new HealthCheckRequest { Service = service }, Timeout(TimeSpan.FromSeconds(10), cts.Token));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        }

        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(
            new HealthCheckRequest { Service = "no.such.Service" }, Timeout(TimeSpan.FromSeconds(10), cts.Token)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ServerReflectionListsTheInferenceAndHealthServices()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);

        using var call = reflection.ServerReflectionInfo(Timeout(TimeSpan.FromSeconds(10), cts.Token));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, cts.Token);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);

        // Older tools (grpcurl before 1.9, Postman) still ask v1alpha.
        var alpha = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(server.Channel);
        using var alphaCall = alpha.ServerReflectionInfo(Timeout(TimeSpan.FromSeconds(10), cts.Token));
        await alphaCall.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" }, cts.Token);
        await alphaCall.RequestStream.CompleteAsync();
        Assert.True(await alphaCall.ResponseStream.MoveNext(cts.Token));
        Assert.Contains(alphaCall.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "inference.GRPCInferenceService");
    }

    [Fact]
    public async Task ClassificationReturnsTheTopLabelsWithScores()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (images, labels) = TestModels.HeldOut();
        var request = InferRequest(images[0]);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor
        {
            Name = "logits",
            Parameters = { ["classification"] = new InferParameter { Int64Param = 3 } },
        });

        var response = await Client.ModelInferAsync(request, Timeout(TimeSpan.FromSeconds(10), cts.Token));

        Assert.Equal("BYTES", response.Outputs.Single().Datatype);
        Assert.Equal([1L, 3], response.Outputs.Single().Shape);
        var raw = response.RawOutputContents[0].ToByteArray();
        var first = System.Text.Encoding.UTF8.GetString(raw, 4, BitConverter.ToInt32(raw, 0));
        Assert.EndsWith($":{labels[0]}:{labels[0]}", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown-model", StatusCode.NotFound, "Model 'unknown-model' is not in the repository.")]
    [InlineData("wrong-input", StatusCode.InvalidArgument, "Input 'image' is not an input of model 'digits'")]
    [InlineData("wrong-shape", StatusCode.InvalidArgument, "Input 'input' has shape [1, 3, 28, 28]")]
    [InlineData("wrong-version", StatusCode.NotFound, "Model 'digits' has no version '7'")]
    public async Task BadRequestsGetTheRightStatusNamingTheProblem(string problem, StatusCode code, string message)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = InferRequest(new float[28 * 28]);
        switch (problem)
        {
            case "unknown-model": request.ModelName = "unknown-model"; break;
            case "wrong-input": request.Inputs[0].Name = "image"; break;
            case "wrong-version": request.ModelVersion = "7"; break;
            case "wrong-shape":
                request.Inputs[0].Shape[1] = 3;
                request.RawInputContents[0] = ByteString.CopyFrom(new byte[3 * 28 * 28 * 4]);
                break;
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request, Timeout(TimeSpan.FromSeconds(10), cts.Token)).ResponseAsync);

        Assert.Equal(code, ex.StatusCode);
        Assert.StartsWith(message, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredDeadlineIsDeadlineExceeded()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(
            InferRequest(new float[28 * 28]), new CallOptions(deadline: DateTime.UtcNow.AddTicks(1), cancellationToken: cts.Token)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task ACallWhoseDeadlineHasPassedOnArrivalIsDeadlineExceededAndNeverRuns()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (images, _) = TestModels.HeldOut();
        var message = InferRequest(images[0], InferenceServerFixture.PatientDigits).ToByteArray();
        var body = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)message.Length);
        message.CopyTo(body, 5);
        // A raw HTTP/2 call, so that the deadline is the server's to enforce, not the client's: 1 µs, gone before any
        // handler runs (1 ns would round to no deadline at all). Were it still open, the 100 ms queue delay outlives it.
        using var http = new HttpClient();
        HttpResponseMessage? response = null;

        var executions = await server.CountAsync("nv_inference_exec_count", InferenceServerFixture.PatientDigits, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, "/inference.GRPCInferenceService/ModelInfer"))
            {
                Content = new ByteArrayContent(body),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            request.Headers.TryAddWithoutValidation("grpc-timeout", "1u");
            response = await http.SendAsync(request, cts.Token);
            await response.Content.ReadAsByteArrayAsync(cts.Token);
            await Task.Delay(300, cts.Token); // longer than the model's 100 ms queue delay: a queued request would have run
        });

        using (response)
        {
            Assert.True(response!.Headers.Contains("grpc-status") || response.TrailingHeaders.Contains("grpc-status"), $"HTTP {(int)response.StatusCode} {response.Version}; headers: {response.Headers}; trailers: {response.TrailingHeaders}");
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single() : response.Headers.GetValues("grpc-status").Single();
            Assert.Equal(((int)StatusCode.DeadlineExceeded).ToString(CultureInfo.InvariantCulture), status);
        }

        Assert.Equal(0, executions);
    }

    private static CallOptions Timeout(TimeSpan timeout, CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow.Add(timeout), cancellationToken: cancellationToken);

    private static PreprocessingSpec SpecFrom(ModelMetadataResponse metadata)
    {
        using var json = JsonDocument.Parse(metadata.Parameters["preprocessing"].StringParam);
        var p = json.RootElement;
        return new PreprocessingSpec
        {
            Width = p.GetProperty("width").GetInt32(),
            Height = p.GetProperty("height").GetInt32(),
            Channels = p.GetProperty("channels").GetInt32(),
            Layout = PreprocessingSpec.ParseLayout(p.GetProperty("layout").GetString()!),
            Resize = PreprocessingSpec.ParseResize(p.GetProperty("resize").GetString()!),
            Scale = p.GetProperty("scale").GetSingle(),
            Mean = [.. p.GetProperty("mean").EnumerateArray().Select(v => v.GetSingle())],
            Std = [.. p.GetProperty("std").EnumerateArray().Select(v => v.GetSingle())],
            Invert = p.TryGetProperty("invert", out var invert) && invert.GetBoolean(),
        };
    }

    private static async Task<string> RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
