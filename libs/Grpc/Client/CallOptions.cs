namespace MlAspire.Grpc;

/// <summary>Per-call settings: request metadata, deadline (UTC), request compression and cancellation.</summary>
public readonly record struct CallOptions(
    Metadata? Headers = null,
    DateTime? Deadline = null,
    string? Compression = null,
    CancellationToken CancellationToken = default)
{
    /// <summary>Options with a deadline <paramref name="timeout"/> from now.</summary>
    public static CallOptions FromTimeout(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new(Deadline: DateTime.UtcNow + timeout, CancellationToken: cancellationToken);
}
