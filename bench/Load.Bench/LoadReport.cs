using System.Globalization;
using System.Text;

namespace MlAspire.Load.Bench;

/// <summary>What one load run saw: every submission's answer and every accepted job's final state.</summary>
internal sealed class LoadReport(IReadOnlyList<JobOutcome> jobs, IReadOnlyDictionary<int, int> rejected, int transportErrors, int skipped, TimeSpan elapsed)
{
    public IReadOnlyList<JobOutcome> Jobs { get; } = jobs;

    /// <summary>Answers other than 202, by HTTP status (429 and 503 are the gateway shedding load).</summary>
    public IReadOnlyDictionary<int, int> Rejected { get; } = rejected;

    /// <summary>Submissions that got no HTTP answer at all (connection refused or reset, timeout).</summary>
    public int TransportErrors { get; } = transportErrors;

    /// <summary>Open-loop ticks not sent because <see cref="LoadSettings.MaxInFlight"/> submissions were still waiting.</summary>
    public int Skipped { get; } = skipped;

    public TimeSpan Elapsed { get; } = elapsed;

    public int Accepted => Jobs.Count;

    public int Succeeded => Jobs.Count(j => j.Status == "succeeded");

    public int Failed => Jobs.Count(j => j.Status == "failed");

    /// <summary>Accepted jobs that never reached a final state before the drain time ran out.</summary>
    public int Lost => Jobs.Count(j => !j.IsTerminal);

    public int RejectedCount => Rejected.Values.Sum();

    /// <summary>Latency percentile (0-100) of accepted jobs that finished, submission to result; null when none finished.</summary>
    public TimeSpan? LatencyPercentile(double percentile)
    {
        var sorted = Jobs.Where(j => j.Latency is not null).Select(j => j.Latency!.Value).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"elapsed {Elapsed.TotalSeconds:F1} s: accepted {Accepted}, succeeded {Succeeded}, failed {Failed}, lost {Lost}");
        text.Append(invariant, $"; rejected {RejectedCount}");
        if (RejectedCount > 0)
        {
            text.Append(" (").AppendJoin(", ", Rejected.OrderBy(r => r.Key).Select(r => string.Create(invariant, $"{r.Value} x {r.Key}"))).Append(')');
        }

        text.Append(invariant, $", transport errors {TransportErrors}, skipped {Skipped}");
        text.AppendLine();
        text.Append("latency ms (accepted, finished):");
        foreach (var p in new[] { 50.0, 90.0, 99.0, 100.0 })
        {
            var value = LatencyPercentile(p);
            text.Append(invariant, $" p{p:0}={(value is { } v ? v.TotalMilliseconds.ToString("F1", invariant) : "-")}");
        }

        return text.ToString();
    }
}
