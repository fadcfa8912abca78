using System.ComponentModel.DataAnnotations;

namespace MlAspire.Gateway.Api;

/// <summary>Settings of the gateway, bound from the <c>Gateway</c> section.</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// API keys, stored hashed: each entry <c>"&lt;name&gt;:&lt;sha256 hex of the key&gt;"</c> or just the hex hash.
    /// Empty: authentication is off (a warning is logged at start) — for local development only.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Largest request body accepted, in bytes (413 above it).</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBytes { get; set; } = 8 << 20;

    /// <summary>
    /// Longest the whole request body of a submission may take to arrive, from the first read (408 after it). Kestrel's
    /// minimum request body data rate (240 bytes/s after a 5 s grace period) applies as well and also answers 408.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most images in one multipart submission.</summary>
    [Range(1, 1024)]
    public int MaxImagesPerRequest { get; set; } = 32;

    /// <summary>Largest image width and height accepted, read from the header before any decode (422 above it).</summary>
    [Range(1, 65535)]
    public int MaxImageDimension { get; set; } = 4096;

    /// <summary>Largest pixel count accepted.</summary>
    [Range(1, 1_000_000_000)]
    public long MaxImagePixels { get; set; } = 16_000_000;

    /// <summary>How long a job (state, image, result) is kept.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan JobTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an Idempotency-Key keeps returning the jobs it created.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan IdempotencyTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest <c>?wait=</c> a GET /v1/jobs/{id} may ask for, in seconds.</summary>
    [Range(0, 300)]
    public int MaxWaitSeconds { get; set; } = 60;

    /// <summary>How long POST /v1/models/{model}:classify waits before answering 504 with the job id.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ClassifyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest an event stream (GET /v1/jobs/{id}/events) stays open.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EventStreamTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An event stream with nothing to send for this long sends a comment (<c>: keep-alive</c>), so proxies and clients
    /// keep the connection open while the job waits, or while Redis restarts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan EventStreamKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Classes returned when the request does not say (<c>?top=</c>).</summary>
    [Range(1, 1000)]
    public int DefaultTop { get; set; } = 5;

    /// <summary>How long model lists and metadata from the inference service are cached.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ModelCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The inference service's model repository (the folder of <c>&lt;model&gt;/config.json</c>), when the gateway can
    /// read it: until the gateway has reached the service once, submissions for the models it names are queued even
    /// while the service is down. Unset: until then such submissions get 503.
    /// </summary>
    public string? ModelRepository { get; set; }

    /// <summary>Deadline of the gateway's calls to the inference service.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan InferenceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests per second each API key may make (token bucket refill).</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 200;

    /// <summary>Burst size of each key's token bucket.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 400;

    /// <summary>
    /// Most jobs queued or in progress at once; a submission that would exceed it gets 503 with Retry-After and
    /// nothing is stored. Bounds Redis memory and the wait of accepted jobs when arrivals outrun the workers.
    /// </summary>
    [Range(1, 10_000_000)]
    public long MaxQueueLength { get; set; } = 10_000;

    /// <summary>
    /// Approximate cap of the jobs stream (XADD MAXLEN ~): a backstop, since the workers delete the entries they
    /// acknowledge. Must be at least twice <see cref="MaxQueueLength"/>, so trimming only ever drops entries the
    /// workers are done with.
    /// </summary>
    [Range(1000, 100_000_000)]
    public long StreamMaxLength { get; set; } = 1_000_000;

    /// <summary>Retry-After (seconds) sent with 503 when the queue is full.</summary>
    [Range(1, 3600)]
    public int QueueFullRetryAfterSeconds { get; set; } = 1;

    /// <summary>Retry-After (seconds) sent with 503 when Redis or the inference service is unreachable.</summary>
    [Range(1, 3600)]
    public int UnavailableRetryAfterSeconds { get; set; } = 5;
}
