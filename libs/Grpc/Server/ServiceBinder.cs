using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.Grpc;

/// <summary>Binds methods of a per-call service instance (see <see cref="IGrpcService{TSelf}"/>).</summary>
public sealed class ServiceBinder<TService>
    where TService : class
{
    private static readonly ObjectFactory<TService> s_factory = ActivatorUtilities.CreateFactory<TService>([]);

    // A service without constructor dependencies needs no request scope (creating one per call is measurable).
    private static readonly bool s_needsNoServices =
        typeof(TService).GetConstructors().All(c => c.GetParameters().Length == 0);

    // Only a service we create and that is disposable needs an async wrapper to release it after the call.
    private static readonly bool s_disposable =
        typeof(IDisposable).IsAssignableFrom(typeof(TService)) || typeof(IAsyncDisposable).IsAssignableFrom(typeof(TService));

    private readonly ServerServiceDefinitionBuilder _builder = new();
    private readonly IServiceProvider? _rootServices;

    internal ServiceBinder(IServiceProvider? rootServices = null)
    {
        if (rootServices is not null && s_needsNoServices
            && rootServices.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) == false)
        {
            _rootServices = rootServices;
        }
    }

    public ServiceBinder<TService> AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method,
        Func<TService, TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        if (!s_disposable)
        {
            _builder.AddUnary(method, new UnaryServerMethod<TRequest, TResponse>(
                (request, context) => handler(Resolve(context).Service, request, context)));
            return this;
        }

        _builder.AddUnary(method, new UnaryServerMethod<TRequest, TResponse>(async (request, context) =>
        {
            var (service, owned) = Resolve(context);
            try
            {
                return await handler(service, request, context).ConfigureAwait(false);
            }
            finally
            {
                await ReleaseAsync(service, owned).ConfigureAwait(false);
            }
        }));
        return this;
    }

    public ServiceBinder<TService> AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        _builder.AddServerStreaming(method, new ServerStreamingServerMethod<TRequest, TResponse>(async (request, stream, context) =>
        {
            var (service, owned) = Resolve(context);
            try
            {
                await handler(service, request, stream, context).ConfigureAwait(false);
            }
            finally
            {
                await ReleaseAsync(service, owned).ConfigureAwait(false);
            }
        }));
        return this;
    }

    public ServiceBinder<TService> AddClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        _builder.AddClientStreaming(method, new ClientStreamingServerMethod<TRequest, TResponse>(async (stream, context) =>
        {
            var (service, owned) = Resolve(context);
            try
            {
                return await handler(service, stream, context).ConfigureAwait(false);
            }
            finally
            {
                await ReleaseAsync(service, owned).ConfigureAwait(false);
            }
        }));
        return this;
    }

    public ServiceBinder<TService> AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        _builder.AddDuplexStreaming(method, new DuplexStreamingServerMethod<TRequest, TResponse>(
            async (requests, responses, context) =>
            {
                var (service, owned) = Resolve(context);
                try
                {
                    await handler(service, requests, responses, context).ConfigureAwait(false);
                }
                finally
                {
                    await ReleaseAsync(service, owned).ConfigureAwait(false);
                }
            }));
        return this;
    }

    internal ServerServiceDefinition Build() => _builder.Build();

    private (TService Service, bool Owned) Resolve(ServerCallContext context)
    {
        if (_rootServices is not null)
        {
            return (s_factory(_rootServices, []), true);
        }

        var services = context.GetHttpContext().RequestServices;
        return services.GetService<TService>() is { } registered ? (registered, false) : (s_factory(services, []), true);
    }

    private static async ValueTask ReleaseAsync(TService service, bool owned)
    {
        if (!owned)
        {
            return;
        }

        if (service is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (service is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
