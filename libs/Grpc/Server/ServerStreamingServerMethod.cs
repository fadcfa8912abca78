namespace MlAspire.Grpc;

/// <summary>Handles a server-streaming call.</summary>
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request,
    IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class
    where TResponse : class;
