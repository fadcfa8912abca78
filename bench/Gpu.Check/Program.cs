// The GPU check of bench/gpu-check.sh: starts the published Inference.Service on a model repository holding each
// model twice, "<name>_gpu" (execution_provider gpu) and "<name>_cpu" (cpu), checks that the GPU copy really runs
// on CUDA, that its outputs match the CPU copy's, and prints ResNet-50's images/s at batch 1, 8 and 32 on each.
//
// usage: Gpu.Check <service-executable> <seconds-per-cell> <require-cuda: yes|no> <model-dir> [<model-dir> ...]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Net.Client;
using MlAspire.Bench;
using MlAspire.Inference.Protocol;

const double Tolerance = 1e-4;
int[] batches = [1, 8, 32];
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: Gpu.Check <service-executable> <seconds-per-cell> <require-cuda: yes|no> <model-dir> [<model-dir> ...]");
    return 2;
}

var service = args[0];
var seconds = double.Parse(args[1], CultureInfo.InvariantCulture);
var requireCuda = args[2] == "yes";
var repository = Directory.CreateTempSubdirectory("mlaspire-gpu-check-").FullName;
var models = args[3..].Select(dir => Prepare(dir, repository)).ToList();
var failures = 0;

var grpcPort = InferenceServiceProbe.FreePort();
var httpPort = InferenceServiceProbe.FreePort();
using var server = Start(service, repository, grpcPort, httpPort);
try
{
    await InferenceServiceProbe.WaitReadyAsync(httpPort, models.Count * 2, TimeSpan.FromMinutes(5));
    using var channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{grpcPort}"), new GrpcChannelOptions { MaxReceiveMessageSize = 256 << 20, MaxSendMessageSize = 256 << 20 });
    var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    foreach (var model in models)
    {
        var gpu = await ProviderAsync(client, model.Name + "_gpu");
        var cpu = await ProviderAsync(client, model.Name + "_cpu");
        Console.WriteLine($"{model.Name}: {model.Name}_gpu runs on {gpu}, {model.Name}_cpu on {cpu}");
        if (gpu != "CUDAExecutionProvider")
        {
            Console.WriteLine($"{(requireCuda ? "FAIL" : "note")}: {model.Name}_gpu is not on CUDA; the service log above says why");
            failures += requireCuda ? 1 : 0;
        }

        foreach (var batch in new[] { 1, Math.Min(8, model.MaxBatch) }.Distinct())
        {
            var request = Request(model, batch);
            var onGpu = await client.ModelInferAsync(Named(request, model.Name + "_gpu"), deadline: DateTime.UtcNow.AddMinutes(2));
            var onCpu = await client.ModelInferAsync(Named(request, model.Name + "_cpu"), deadline: DateTime.UtcNow.AddMinutes(2));
            var a = MemoryMarshal.Cast<byte, float>(onGpu.RawOutputContents[0].Span);
            var b = MemoryMarshal.Cast<byte, float>(onCpu.RawOutputContents[0].Span);
            var maxDiff = 0.0;
            var maxAbs = 0.0;
            for (var i = 0; i < b.Length; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - b[i]));
                maxAbs = Math.Max(maxAbs, Math.Abs(b[i]));
            }

            // Absolute for outputs within ±1, else relative to the largest CPU output.
            var ok = a.Length == b.Length && maxDiff <= Tolerance * Math.Max(1, maxAbs);
            failures += ok ? 0 : 1;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(ok ? "ok  " : "FAIL")} {model.Name} batch {batch}: {b.Length} outputs, max |gpu - cpu| = {maxDiff:E2} (largest |cpu| {maxAbs:0.###}, tolerance {Tolerance:E0} x max(1, that))"));
        }
    }

    foreach (var model in models.Where(m => m.Name.StartsWith("resnet", StringComparison.OrdinalIgnoreCase)))
    {
        Console.WriteLine($"{model.Name}: images/s, one caller sending batches back to back, {seconds} s per cell");
        Console.WriteLine("| batch | gpu images/s | cpu images/s | gpu / cpu |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var batch in batches.Where(b => b <= model.MaxBatch))
        {
            var request = Request(model, batch);
            var gpu = await ImagesPerSecondAsync(client, Named(request, model.Name + "_gpu"), batch, seconds);
            var cpu = await ImagesPerSecondAsync(client, Named(request, model.Name + "_cpu"), batch, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {batch} | {gpu:0.0} | {cpu:0.0} | {gpu / cpu:0.00} |"));
        }
    }
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Directory.Delete(repository, recursive: true);
}

Console.WriteLine(failures == 0 ? "gpu-check: all checks passed" : $"gpu-check: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

static async Task<string> ProviderAsync(GRPCInferenceService.GRPCInferenceServiceClient client, string name)
{
    var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = name }, deadline: DateTime.UtcNow.AddSeconds(30));
    return metadata.Parameters.TryGetValue("execution_provider", out var p) ? p.StringParam : "(none)";
}

static async Task<double> ImagesPerSecondAsync(GRPCInferenceService.GRPCInferenceServiceClient client, ModelInferRequest request, int batch, double seconds)
{
    for (var i = 0; i < 3; i++)
    {
        await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddMinutes(2));
    }

    var calls = 0;
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed.TotalSeconds < seconds)
    {
        await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddMinutes(2));
        calls++;
    }

    return calls * batch / watch.Elapsed.TotalSeconds;
}

static ModelInferRequest Request(CheckModel model, int batch)
{
    var values = new float[batch * model.ItemElements];
    var random = new Random(7);
    for (var i = 0; i < values.Length; i++)
    {
        values[i] = (float)(random.NextDouble() * 2 - 1);
    }

    return new ModelInferRequest
    {
        Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = model.InputName, Datatype = "FP32", Shape = { model.ItemShape.Prepend(batch) } } },
        RawInputContents = { ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) },
    };
}

static ModelInferRequest Named(ModelInferRequest request, string name)
{
    var named = request.Clone();
    named.ModelName = name;
    return named;
}

static CheckModel Prepare(string dir, string repository)
{
    var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
    var name = config["name"]!.GetValue<string>();
    var version = Directory.GetDirectories(dir).Select(Path.GetFileName).Where(v => int.TryParse(v, out _)).Max(v => int.Parse(v!, CultureInfo.InvariantCulture));
    var onnx = Path.Combine(dir, version.ToString(CultureInfo.InvariantCulture), "model.onnx");
    foreach (var provider in new[] { "gpu", "cpu" })
    {
        var copy = config.DeepClone().AsObject();
        copy["name"] = $"{name}_{provider}";
        copy["execution_provider"] = provider;
        // Each request runs alone: the check compares providers, not batching.
        copy.Remove("dynamic_batching");
        var target = Path.Combine(repository, $"{name}_{provider}");
        Directory.CreateDirectory(Path.Combine(target, "1"));
        File.WriteAllText(Path.Combine(target, "config.json"), copy.ToJsonString());
        File.CreateSymbolicLink(Path.Combine(target, "1", "model.onnx"), Path.GetFullPath(onnx));
        foreach (var labels in Directory.GetFiles(dir, "*.txt"))
        {
            File.Copy(labels, Path.Combine(target, Path.GetFileName(labels)));
        }
    }

    var input = config["input"]![0]!;
    var shape = input["dims"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
    return new CheckModel(name, input["name"]!.GetValue<string>(), shape, (int)shape.Aggregate(1L, (x, y) => x * y), config["max_batch_size"]!.GetValue<int>());
}

static Process Start(string executable, string repository, int grpcPort, int httpPort)
{
    var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["Inference__ModelRepository"] = repository;
    start.Environment["Inference__MaxMessageBytes"] = (256 << 20).ToString(CultureInfo.InvariantCulture);
    start.Environment["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{grpcPort}";
    start.Environment["Kestrel__Endpoints__grpc__Protocols"] = "Http2";
    start.Environment["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{httpPort}";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine("[service] " + e.Data); };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine("[service] " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

internal sealed record CheckModel(string Name, string InputName, long[] ItemShape, int ItemElements, int MaxBatch);
