using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MlAspire.Inference.Service.Services;

/// <summary>
/// A call whose deadline has already passed when it reaches the service is answered <c>DEADLINE_EXCEEDED</c> without
/// running: nobody waits for its answer. (A deadline that passes later cancels the call's token, and the batcher
/// drops a request whose token fired before its batch runs.)
/// </summary>
internal sealed class DeadlineInterceptor(TimeProvider time) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Deadline <= time.GetUtcNow().UtcDateTime)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "The deadline passed before the request could run."));
        }

        return continuation(request, context);
    }
}
