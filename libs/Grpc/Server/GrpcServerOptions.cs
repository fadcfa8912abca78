using System.ComponentModel.DataAnnotations;
using System.IO.Compression;

namespace MlAspire.Grpc;

/// <summary>Server settings: configure in <c>AddGrpc(o => ...)</c> or bind with <c>services.Configure&lt;GrpcServerOptions&gt;(section)</c>;
/// validated at start.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (compressed and inflated); larger -> RESOURCE_EXHAUSTED.</summary>
    [Range(1, int.MaxValue)]
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent; larger -> RESOURCE_EXHAUSTED.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Default response compression ("gzip" or null); per call see <see cref="ServerCallContext.ResponseCompression"/>.</summary>
    [RegularExpression("^(gzip|identity)$")]
    public string? ResponseCompressionAlgorithm { get; set; }

    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Put exception type and message in grpc-message for unhandled handler exceptions (development only).</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Server interceptors, outermost first.</summary>
    public IList<ServerInterceptor> Interceptors { get; } = [];
}
