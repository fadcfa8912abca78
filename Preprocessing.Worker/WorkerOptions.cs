using System.ComponentModel.DataAnnotations;

namespace MlAspire.Preprocessing.Worker;

/// <summary>Settings of the preprocessing worker, bound from the <c>Worker</c> section.</summary>
internal sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>Consumer name in the group; unset: <c>service.instance.id</c> from OTEL_RESOURCE_ATTRIBUTES, else machine-pid.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>Most jobs read at once (the model's max batch size also caps one inference call).</summary>
    [Range(1, 1024)]
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// After a read that returned fewer than <see cref="BatchSize"/> jobs, wait this long once to fill the batch. Zero
    /// by default: a busy worker batches anyway (what arrives while it works is read in one go next time), and the wait
    /// cost every job latency and throughput at every load measured (BENCHMARKS.md); worth a few milliseconds only for
    /// a model whose per-call cost is high and whose load comes in bursts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan BatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long one XREADGROUP blocks waiting for jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReadBlock { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the worker refreshes its heartbeat key (<c>mlaspire:worker:&lt;consumer&gt;</c>), on a timer of its own,
    /// independent of the jobs it is running: a live worker keeps its jobs however long a batch takes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The heartbeat key's TTL: a worker not heard of for this long is dead, and once its consumer has also not touched
    /// the stream for as long, the other workers take over its pending jobs at their next <see cref="ClaimInterval"/>.
    /// At least twice <see cref="HeartbeatInterval"/>. With the defaults a killed worker's jobs run elsewhere within
    /// about 4 to 6 s (BENCHMARKS.md, faults).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How often the worker looks for dead workers' jobs to take over (and refreshes the queue-lag gauge and removes
    /// finished entries left in the stream). No more often than an idle worker reads the stream anyway (<see cref="ReadBlock"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ClaimInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Deliveries per job: the first, and each take-over after the worker holding it stopped (crashed, was killed);
    /// past this the job is dead-lettered. Retries of transient inference failures do not count (see <see cref="RetryFor"/>).
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// How long a batch keeps retrying transient inference failures (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
    /// ABORTED: the service restarting, overloaded or loading its model) before its jobs are dead-lettered. Long enough
    /// to ride out a restart of the inference service; zero gives up at the first failure.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deadline of one ModelInfer / ModelMetadata call.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan InferenceTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a transient inference failure; doubles per retry (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest delay between two retries. The jobs stay this worker's while it retries: its heartbeat says it is alive.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a model's metadata (preprocessing, labels, max batch) is cached.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MetadataCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest decoded image accepted (each side); larger ones fail the job.</summary>
    [Range(1, 65535)]
    public int MaxImageDimension { get; set; } = 8192;

    /// <summary>Largest pixel count accepted.</summary>
    [Range(1, 1_000_000_000)]
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Testing aid: hold every batch this long after reading it, before processing. Leave at zero in production.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan HoldDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The loop counts as stuck (health: unhealthy) when it has not come round for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromSeconds(120);
}
