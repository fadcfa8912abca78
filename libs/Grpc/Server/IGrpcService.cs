namespace MlAspire.Grpc;

/// <summary>
/// A service class mapped with <c>app.MapGrpcService&lt;TService&gt;()</c>. <see cref="BindService"/> declares its
/// methods; an instance is resolved from the request's services per call (or created with its constructor
/// dependencies when not registered, and disposed after the call).
/// </summary>
public interface IGrpcService<TSelf>
    where TSelf : class, IGrpcService<TSelf>
{
    static abstract void BindService(ServiceBinder<TSelf> binder);
}
