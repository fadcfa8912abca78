using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

// In-process ONNX Runtime throughput/latency of the digits demo model at batch 1, 8 and 32.
// Usage: bench/onnxruntime-bench.sh [seconds-per-slice=2] [rounds=5] [intra-op-threads=1]
// The cases run interleaved (1, 8, 32, 1, 8, 32, ...) so load from other processes on a shared machine hits them
// alike; each case reports the median over its rounds. Baseline: batch 1 in the same run; the other cases are
// reported as a ratio of images/s against it.
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
const int Pixels = 28 * 28;
int[] batches = [1, 8, 32];

var root = FindRepoRoot();
var modelPath = Path.Combine(root, "models", "digits", "1", "model.onnx");
var heldOut = MemoryMarshal.Cast<byte, float>(
    File.ReadAllBytes(Path.Combine(root, "models", "digits", "testdata", "heldout.f32"))).ToArray();

using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
using var session = new InferenceSession(modelPath, options);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPUExecutionProvider, intra-op threads {threads}, " +
    $"{rounds} rounds x {seconds:0.#} s per case, {Environment.ProcessorCount} logical CPUs"));

var perCase = batches.ToDictionary(b => b, _ => new List<(double ImagesPerSecond, double P50, double P99)>());
for (var round = 0; round < rounds; round++)
{
    foreach (var batch in batches)
    {
        perCase[batch].Add(Measure(session, heldOut.AsMemory(0, batch * Pixels), batch, seconds));
    }
}

Console.WriteLine("batch | images/s (median) | p50 ms | p99 ms | images/s vs batch 1");
var baseline = Median(perCase[1].Select(m => m.ImagesPerSecond));
foreach (var batch in batches)
{
    var throughput = Median(perCase[batch].Select(m => m.ImagesPerSecond));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{batch,5} | {throughput,17:0} | {Median(perCase[batch].Select(m => m.P50)),6:0.000} | " +
        $"{Median(perCase[batch].Select(m => m.P99)),6:0.000} | {throughput / baseline:0.00}x"));
}

return 0;

static (double ImagesPerSecond, double P50, double P99) Measure(InferenceSession session, Memory<float> data, int batch, double seconds)
{
    // As the service runs a model: the input over the caller's memory and the output over the array that receives
    // it, both wrapped as OrtValues without a copy; RunOptions per run.
    var logits = new float[batch * 10];
    using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data, [batch, 1, 28, 28]);
    using var output = OrtValue.CreateTensorValueFromMemory(logits, [batch, 10]);
    string[] inputNames = ["input"];
    string[] outputNames = ["logits"];
    OrtValue[] inputs = [input];
    OrtValue[] outputs = [output];
    void Run()
    {
        using var runOptions = new RunOptions();
        session.Run(runOptions, inputNames, inputs, outputNames, outputs);
    }

    for (var i = 0; i < 10; i++)
    {
        Run();
    }

    var latencies = new List<double>();
    var total = Stopwatch.StartNew();
    while (total.Elapsed.TotalSeconds < seconds)
    {
        var start = Stopwatch.GetTimestamp();
        Run();
        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    total.Stop();
    latencies.Sort();
    return (latencies.Count * batch / total.Elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "MlAspire.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("MlAspire.sln not found above the benchmark's folder.");
}
