using System.Globalization;
using System.Text.Json;
using MlAspire.Load.Bench;
using MlAspire.Tests.Shared;

namespace MlAspire.Resilience.Tests;

/// <summary>
/// One scenario's counts, written to <c>artifacts/resilience/&lt;scenario&gt;.json</c> for <c>bench/faults.sh</c>'s table
/// and printed to the test output.
/// </summary>
internal static class ScenarioRecord
{
    public static string Write(
        string scenario, string load, LoadReport report, IReadOnlyDictionary<string, double> peakRssMiB, string? note = null, double? reclaimedP99Ms = null)
    {
        var record = new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["load"] = load,
            ["accepted"] = report.Accepted,
            ["succeeded"] = report.Succeeded,
            ["failed"] = report.Failed,
            ["lost"] = report.Lost,
            ["rejected"] = report.Rejected.ToDictionary(r => r.Key.ToString(CultureInfo.InvariantCulture), r => r.Value),
            ["transportErrors"] = report.TransportErrors,
            ["p50Ms"] = report.LatencyPercentile(50)?.TotalMilliseconds,
            ["p99Ms"] = report.LatencyPercentile(99)?.TotalMilliseconds,
            ["maxMs"] = report.LatencyPercentile(100)?.TotalMilliseconds,
            ["peakRssMiB"] = peakRssMiB,
            ["reclaimedP99Ms"] = reclaimedP99Ms,
            ["note"] = note,
        };
        var folder = Path.Combine(RepoRoot.Find(), "artifacts", "resilience");
        Directory.CreateDirectory(folder);
        var json = JsonSerializer.Serialize(record, s_options);
        File.WriteAllText(Path.Combine(folder, scenario + ".json"), json);
        return $"{scenario} under {load}\n{report}\npeak RSS MiB: {string.Join(", ", peakRssMiB.Select(p => $"{p.Key} {p.Value}"))}";
    }

    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true };
}
