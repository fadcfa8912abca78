using System.Diagnostics.CodeAnalysis;

namespace MlAspire.Grpc;

/// <summary>Throw helpers that end a call with a status.</summary>
public static class GrpcThrow
{
    [DoesNotReturn]
    public static void Rpc(StatusCode statusCode, string detail, Metadata? trailers = null) =>
        throw new RpcException(new Status(statusCode, detail), trailers);

    [DoesNotReturn]
    public static T Rpc<T>(StatusCode statusCode, string detail) =>
        throw new RpcException(new Status(statusCode, detail));

    [DoesNotReturn]
    public static void InvalidArgument(string detail) => Rpc(StatusCode.InvalidArgument, detail);

    [DoesNotReturn]
    public static void NotFound(string detail) => Rpc(StatusCode.NotFound, detail);

    [DoesNotReturn]
    public static void FailedPrecondition(string detail) => Rpc(StatusCode.FailedPrecondition, detail);

    [DoesNotReturn]
    public static void Unimplemented(string detail) => Rpc(StatusCode.Unimplemented, detail);

    [DoesNotReturn]
    public static void Internal(string detail) => Rpc(StatusCode.Internal, detail);

    [DoesNotReturn]
    public static void ResourceExhausted(string detail) => Rpc(StatusCode.ResourceExhausted, detail);

    [DoesNotReturn]
    public static void Unavailable(string detail) => Rpc(StatusCode.Unavailable, detail);

    [DoesNotReturn]
    public static void Unauthenticated(string detail) => Rpc(StatusCode.Unauthenticated, detail);

    [DoesNotReturn]
    public static void PermissionDenied(string detail) => Rpc(StatusCode.PermissionDenied, detail);

    [DoesNotReturn]
    public static void DeadlineExceeded(string detail) => Rpc(StatusCode.DeadlineExceeded, detail);

    [DoesNotReturn]
    public static void Cancelled(string detail) => Rpc(StatusCode.Cancelled, detail);
}
