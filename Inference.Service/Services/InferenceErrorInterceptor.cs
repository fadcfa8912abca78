using Grpc.Core;
using Grpc.Core.Interceptors;
using MlAspire.Inference.Service.Model;

namespace MlAspire.Inference.Service.Services;

/// <summary>
/// Every method of the inference service reports expected failures as <see cref="InferenceException"/>; this turns
/// each into its gRPC status with the message (which names the model or input at fault) as the status detail.
/// </summary>
internal sealed class InferenceErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (InferenceException ex)
        {
            throw new RpcException(new Status(ToStatusCode(ex.Error), ex.Message));
        }
    }

    public static StatusCode ToStatusCode(InferenceError error) => error switch
    {
        InferenceError.InvalidArgument => StatusCode.InvalidArgument,
        InferenceError.NotFound => StatusCode.NotFound,
        InferenceError.Unavailable => StatusCode.Unavailable,
        InferenceError.ResourceExhausted => StatusCode.ResourceExhausted,
        InferenceError.DeadlineExceeded => StatusCode.DeadlineExceeded,
        InferenceError.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };
}
