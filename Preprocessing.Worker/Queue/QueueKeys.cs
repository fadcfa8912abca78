namespace MlAspire.Queue;

/// <summary>
/// Every Redis key, channel and group name of the job queue, in one place (shared by Gateway.Api and
/// Preprocessing.Worker; the gateway compiles this file as a link).
/// </summary>
internal static class QueueKeys
{
    /// <summary>The jobs stream; each entry holds <c>id</c> and <c>model</c>.</summary>
    public const string Jobs = "mlaspire:jobs";

    /// <summary>The workers' consumer group on <see cref="Jobs"/>.</summary>
    public const string WorkersGroup = "workers";

    /// <summary>Jobs that failed for good: <c>id</c>, <c>model</c>, <c>reason</c>, <c>attempts</c>, <c>worker</c>, <c>failed</c>.</summary>
    public const string DeadLetter = "mlaspire:jobs:dead";

    /// <summary>Pub/sub channel; each message is <c>"&lt;job id&gt; &lt;status&gt;"</c>.</summary>
    public const string JobEvents = "mlaspire:job-events";

    /// <summary>
    /// Pub/sub channel the enqueue script publishes to once it has stored jobs (the message is how many): idle workers read
    /// the stream at once instead of at their next poll. Only a wake-up: the jobs themselves are in <see cref="Jobs"/>,
    /// so a missed message delays a job by at most <c>Worker:ReadBlock</c> and loses nothing.
    /// </summary>
    public const string JobsQueued = "mlaspire:jobs-queued";

    /// <summary>Prefix of the job hashes (the scripts that hand jobs over name them from stream entries).</summary>
    public const string JobPrefix = "mlaspire:job:";

    /// <summary>
    /// Prefix of the workers' heartbeat keys, one per consumer name: a string with a short TTL that the worker refreshes on
    /// a timer of its own. A consumer whose key is gone is dead, and its pending jobs are taken over.
    /// </summary>
    public const string HeartbeatPrefix = "mlaspire:worker:";

    private const string IdempotencyPrefix = "mlaspire:idempotency:";

    /// <summary>The job's state hash (see <see cref="JobFields"/>), with a TTL.</summary>
    public static string Job(string id) => JobPrefix + id;

    /// <summary>The job's encoded image (a string key with the job's TTL, deleted when the job ends).</summary>
    public static string Image(string id) => JobPrefix + id + ":image";

    /// <summary>The heartbeat key of a worker's consumer (see <see cref="HeartbeatPrefix"/>).</summary>
    public static string Heartbeat(string consumer) => HeartbeatPrefix + consumer;

    /// <summary>Maps an Idempotency-Key (scoped by API key name) to the job ids it created.</summary>
    public static string Idempotency(string scope, string key) => IdempotencyPrefix + scope + ":" + key;
}
