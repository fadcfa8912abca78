using System.ComponentModel.DataAnnotations;

namespace MlAspire.Inference.Client;

/// <summary>
/// Settings of one inference client, bound from <c>InferenceClients:&lt;name&gt;</c> (for example
/// <c>InferenceClients__inference__Deadline=00:00:05</c>) and validated at start.
/// </summary>
public sealed class InferenceClientSettings
{
    public const string SectionName = "InferenceClients";

    /// <summary>
    /// Where the service is. Unset: <c>http://_grpc.&lt;name&gt;</c>, the <c>grpc</c> endpoint of the service of that
    /// name, which service discovery resolves from <c>services__&lt;name&gt;__grpc__&lt;i&gt;</c> (what an Aspire AppHost's
    /// <c>WithReference</c> injects). A concrete <c>http://host:port</c> works too.
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>Deadline of every unary call that does not set its own.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts per call (the first included) while the service answers UNAVAILABLE: not listening, restarting, a
    /// connection dropped. gRPC retries them itself, within the call's deadline. 1 turns retries off.
    /// </summary>
    [Range(1, 5)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry; it grows by half per retry, with gRPC's jitter, up to 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest message sent or received: a batch of ResNet-50 images is tens of megabytes.</summary>
    [Range(4 << 20, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 64 << 20;
}
