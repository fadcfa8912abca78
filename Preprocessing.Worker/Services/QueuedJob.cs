using System.Globalization;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>A job handed to this worker (see <see cref="Queue.JobScripts.Deliver"/>), while this worker holds it.</summary>
internal sealed class QueuedJob(string entryId, string id, string model)
{
    private const int RowLength = 7;

    /// <summary>The stream entry id (what XACK takes).</summary>
    public string EntryId { get; } = entryId;

    /// <summary>The job id; "" for an entry that names no job (deleted while pending, or not written by the gateway).</summary>
    public string Id { get; } = id;

    public string Model { get; } = model;

    /// <summary>The job's status before the hand-over: queued, processing (a redelivery), succeeded, failed or "missing".</summary>
    public string PreviousStatus { get; init; } = "missing";

    /// <summary>Deliveries so far, this one included (0 when the job was not handed over: missing or terminal).</summary>
    public long Attempts { get; init; }

    /// <summary>How many classes the result lists.</summary>
    public int Top { get; init; } = 5;

    /// <summary>The W3C trace context the gateway stored with the job ("" when none).</summary>
    public string TraceParent { get; init; } = "";

    /// <summary>The encoded image, until it has been preprocessed.</summary>
    public ReadOnlyMemory<byte> Image { get; set; }

    public double PreprocessMs { get; set; }

    /// <summary>Where this job's tensor sits in the batch buffer.</summary>
    public int Slot { get; set; }

    /// <summary>The jobs of a hand-over script's reply (seven values per stream entry, see <see cref="Queue.JobScripts.Deliver"/>).</summary>
    public static List<QueuedJob> FromHandOver(RedisResult reply)
    {
        var rows = (RedisResult[]?)reply ?? [];
        var jobs = new List<QueuedJob>(rows.Length / RowLength);
        for (var i = 0; i + RowLength <= rows.Length; i += RowLength)
        {
            jobs.Add(new QueuedJob((string)rows[i]!, (string?)rows[i + 1] ?? "", (string?)rows[i + 2] ?? "")
            {
                PreviousStatus = (string?)rows[i + 3] ?? "missing",
                Attempts = (long)rows[i + 4],
                Top = int.TryParse((string?)rows[i + 5], NumberStyles.Integer, CultureInfo.InvariantCulture, out var top) ? top : 5,
                TraceParent = (string?)rows[i + 6] ?? "",
            });
        }

        return jobs;
    }
}
