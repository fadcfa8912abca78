using System.IO.Compression;

namespace MlAspire.Grpc;

/// <summary>Client channel settings.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted (compressed and inflated); larger -> RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent; larger -> RESOURCE_EXHAUSTED before anything is sent.</summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Default request compression ("gzip" or null); <see cref="CallOptions.Compression"/> overrides it per call.</summary>
    public string? SendCompression { get; set; }

    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>How long an address is skipped after a call to it failed to connect.</summary>
    public TimeSpan ConnectFailureBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Handler to send requests with; null builds a <see cref="SocketsHttpHandler"/> configured for gRPC.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpHandler"/> (always true for the built-in handler).</summary>
    public bool DisposeHttpHandler { get; set; }
}
