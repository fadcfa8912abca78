namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>A job read from the stream, while this worker holds it.</summary>
internal sealed class QueuedJob(string entryId, string id, string model)
{
    /// <summary>The stream entry id (what XACK takes).</summary>
    public string EntryId { get; } = entryId;

    public string Id { get; } = id;

    public string Model { get; } = model;

    /// <summary>How many classes the result lists.</summary>
    public int Top { get; set; } = 5;

    /// <summary>The encoded image, until it has been preprocessed.</summary>
    public ReadOnlyMemory<byte> Image { get; set; }

    public double PreprocessMs { get; set; }

    /// <summary>The W3C trace context the gateway stored with the job ("" when none).</summary>
    public string TraceParent { get; set; } = "";

    /// <summary>Where this job's tensor sits in the batch buffer.</summary>
    public int Slot { get; set; }
}
