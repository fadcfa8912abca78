namespace MlAspire.Grpc;

/// <summary>A call ended with a non-OK status. Thrown by handlers to choose the status, and by clients to report it.</summary>
public sealed class RpcException : Exception
{
    public RpcException()
        : this(new Status(StatusCode.Unknown, string.Empty))
    {
    }

    public RpcException(string message)
        : this(new Status(StatusCode.Unknown, message))
    {
    }

    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = new Status(StatusCode.Unknown, message);
        Trailers = [];
    }

    public RpcException(Status status, Metadata? trailers = null, Exception? innerException = null)
        : base(FormatMessage(status), innerException)
    {
        Status = status;
        Trailers = trailers ?? [];
    }

    public RpcException(StatusCode statusCode, string detail, Metadata? trailers = null)
        : this(new Status(statusCode, detail), trailers)
    {
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers sent with the status (server: extra trailers to send; client: trailers received).</summary>
    public Metadata Trailers { get; }

    private static string FormatMessage(Status status) => status.ToString();
}
