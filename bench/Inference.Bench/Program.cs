// Inference serving overhead, measured against in-process ONNX Runtime in the same run:
//   (a) in-process ORT, one image per Run, N concurrent callers
//   (b) ModelInfer over gRPC to the real Inference.Service, dynamic batching off
//   (c) the same with dynamic batching on
// at concurrency 1, 8 and 32, for each model given. Closed loop: each caller sends its next request when the last returns.
// Each cell also records the CPU time the serving process spent per image (utime + stime from /proc/<pid>/stat): the
// service's process for (b) and (c), this process for (a), where it is the in-process ONNX Runtime's (and its callers').
//
// usage: Inference.Bench <inference-service-dll> <seconds-per-cell> <model-dir> [<model-dir> ...]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.ML.OnnxRuntime;
using MlAspire.Bench;
using MlAspire.Inference.Protocol;

var serviceDll = args[0];
var seconds = double.Parse(args[1], CultureInfo.InvariantCulture);
var modelDirs = args[2..];
int[] concurrencies = [1, 8, 32];
var warmupSeconds = double.Parse(Environment.GetEnvironmentVariable("WARMUP_SECONDS") ?? "10", CultureInfo.InvariantCulture);
var clockTicks = ClockTicksPerSecond();

var repository = Directory.CreateTempSubdirectory("mlaspire-bench-repo-").FullName;
var models = modelDirs.Select(dir => PrepareModel(dir, repository)).ToList();

Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {seconds}s per cell after {warmupSeconds}s of warm-up per mode, closed loop");
var results = new List<Row>();

// (a) in process: one InferenceSession, the input wrapped once as an OrtValue over its array, RunOptions per call.
foreach (var model in models)
{
    using var session = new InferenceSession(model.OnnxPath);
    var input = new float[model.ItemElements];
    Fill(input);
    using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, .. model.ItemShape]);
    string[] inputNames = [model.InputName];
    OrtValue[] inputValues = [inputValue];
    var outputNames = session.OutputNames.ToArray();
    Task RunOnce()
    {
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputNames, inputValues, outputNames);
        return Task.CompletedTask;
    }

    await RunOnce(); // warm
    Warm(RunOnce);
    foreach (var c in concurrencies)
    {
        results.Add(Measure(model.Name, "a in-process ORT", c, seconds, RunOnce, Environment.ProcessId, clockTicks));
    }
}

// (b) and (c) over gRPC to the real service.
var grpcPort = InferenceServiceProbe.FreePort();
var httpPort = InferenceServiceProbe.FreePort();
using var server = StartService(serviceDll, repository, grpcPort, httpPort);
try
{
    await InferenceServiceProbe.WaitReadyAsync(httpPort, models.Count * 2, TimeSpan.FromMinutes(3));
    using var channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{grpcPort}"));
    var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    foreach (var model in models)
    {
        var input = new float[model.ItemElements];
        Fill(input);
        foreach (var (mode, name) in new[] { ("b gRPC, no batching", model.Name + "_nobatch"), ("c gRPC, dynamic batching", model.Name) })
        {
            var request = new ModelInferRequest
            {
                ModelName = name,
                Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = model.InputName, Datatype = "FP32", Shape = { model.ItemShape.Prepend(1) } } },
                RawInputContents = { ByteString.CopyFrom(MemoryMarshal.AsBytes(input.AsSpan())) },
            };
            await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
            Warm(() => client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(120)).ResponseAsync);
            foreach (var c in concurrencies)
            {
                results.Add(Measure(model.Name, mode, c, seconds,
                    () => client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(120)).ResponseAsync, server.Id, clockTicks));
            }
        }
    }
}
finally
{
    server.Kill(entireProcessTree: true);
    Directory.Delete(repository, recursive: true);
}

Console.WriteLine();
Console.WriteLine("| model | mode | concurrency | images/s | p50 ms | p99 ms | server CPU ms/image |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine(FormattableString.Invariant($"| {r.Model} | {r.Mode} | {r.Concurrency} | {r.Throughput:0} | {r.P50:0.000} | {r.P99:0.000} | {r.CpuMsPerImage:0.000} |"));
}

Console.WriteLine();
foreach (var model in models)
{
    var a = results.Where(r => r.Model == model.Name && r.Mode.StartsWith('a')).ToList();
    var b = results.Where(r => r.Model == model.Name && r.Mode.StartsWith('b')).ToList();
    var c = results.Where(r => r.Model == model.Name && r.Mode.StartsWith('c')).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{model.Name}: best (c) / best (a) throughput = {c.Max(r => r.Throughput) / a.Max(r => r.Throughput):0.00}; " +
        $"p50 overhead of (b) over (a) at concurrency 1 = {b.First(r => r.Concurrency == 1).P50 - a.First(r => r.Concurrency == 1).P50:0.000} ms; " +
        $"best (c) / best (b) = {c.Max(r => r.Throughput) / b.Max(r => r.Throughput):0.00}"));
}

static Row Measure(string model, string mode, int concurrency, double seconds, Func<Task> call, int serverPid, double clockTicks, bool quiet = false)
{
    var latencies = new List<double>[concurrency];
    var stop = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    var cpuBefore = CpuTicks(serverPid);
    var started = Stopwatch.GetTimestamp();
    var workers = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
    {
        var mine = latencies[i] = [];
        while (Stopwatch.GetTimestamp() < stop)
        {
            var t0 = Stopwatch.GetTimestamp();
            await call();
            mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
    })).ToArray();
    Task.WaitAll(workers);
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var cpuMs = (CpuTicks(serverPid) - cpuBefore) / clockTicks * 1000;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var row = new Row(model, mode, concurrency, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? double.NaN : cpuMs / all.Length);
    if (quiet)
    {
        return row;
    }

    Console.WriteLine(FormattableString.Invariant($"{model,-10} {mode,-26} c={concurrency,-3} {row.Throughput,9:0.0} img/s  p50 {row.P50,8:0.000} ms  p99 {row.P99,8:0.000} ms  server CPU {row.CpuMsPerImage,8:0.000} ms/image  (n={all.Length})"));
    return row;
}

// Untimed load first, so that the cells measure tiered-up code rather than the JIT: a cold .NET server needs about
// 100,000 small requests before its hot paths are fully optimized (BENCHMARKS.md), 10 s here by default.
void Warm(Func<Task> call) => Measure("warm-up", "", 32, warmupSeconds, call, Environment.ProcessId, clockTicks, quiet: true);

// utime + stime of a process, in clock ticks: fields 14 and 15 of /proc/<pid>/stat, counted after the ")" that ends
// the command name (which may itself hold spaces).
static long CpuTicks(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}

// The unit of /proc's CPU times (USER_HZ, 100 on Linux); getconf says it where it can.
static double ClockTicksPerSecond()
{
    try
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd();
        getconf.WaitForExit();
        return double.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return 100;
    }
}

static void Fill(float[] values)
{
    var random = new Random(1);
    for (var i = 0; i < values.Length; i++)
    {
        values[i] = (float)(random.NextDouble() * 2 - 1);
    }
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static BenchModel PrepareModel(string dir, string repository)
{
    var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
    var name = config["name"]!.GetValue<string>();
    var version = Directory.GetDirectories(dir).Select(Path.GetFileName).Where(v => int.TryParse(v, out _)).Max(v => int.Parse(v!, CultureInfo.InvariantCulture));
    var onnx = Path.Combine(dir, version.ToString(CultureInfo.InvariantCulture), "model.onnx");
    config["execution_provider"] = "cpu";
    Write(repository, name, config, onnx, dir);
    var unbatched = config.DeepClone().AsObject();
    unbatched["name"] = name + "_nobatch";
    unbatched.Remove("dynamic_batching");
    Write(repository, name + "_nobatch", unbatched, onnx, dir);
    var input = config["input"]![0]!;
    var shape = input["dims"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
    return new BenchModel(name, onnx, input["name"]!.GetValue<string>(), shape, (int)shape.Aggregate(1L, (x, y) => x * y));
}

static void Write(string repository, string name, JsonObject config, string onnx, string source)
{
    var target = Path.Combine(repository, name);
    Directory.CreateDirectory(Path.Combine(target, "1"));
    File.WriteAllText(Path.Combine(target, "config.json"), config.ToJsonString());
    File.CreateSymbolicLink(Path.Combine(target, "1", "model.onnx"), onnx);
    foreach (var labels in Directory.GetFiles(source, "*.txt"))
    {
        File.Copy(labels, Path.Combine(target, Path.GetFileName(labels)));
    }
}

static Process StartService(string dll, string repository, int grpcPort, int httpPort)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(dll);
    start.Environment["Inference__ModelRepository"] = repository;
    start.Environment["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{grpcPort}";
    start.Environment["Kestrel__Endpoints__grpc__Protocols"] = "Http2";
    start.Environment["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{httpPort}";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[service] " + e.Data); };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[service] " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

internal sealed record BenchModel(string Name, string OnnxPath, string InputName, long[] ItemShape, int ItemElements);

internal sealed record Row(string Model, string Mode, int Concurrency, double Throughput, double P50, double P99, double CpuMsPerImage);
