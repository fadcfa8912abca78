using Google.Protobuf;
using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>Collects methods and handlers; each method's <see cref="MethodType"/> must match its handler's shape.</summary>
public sealed class ServerServiceDefinitionBuilder
{
    private readonly List<ServerMethodEntry> _methods = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public ServerServiceDefinitionBuilder AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method,
        UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Add(method, MethodType.Unary, handler);

    public ServerServiceDefinitionBuilder AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Add(method, MethodType.ServerStreaming, handler);

    public ServerServiceDefinitionBuilder AddClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Add(method, MethodType.ClientStreaming, handler);

    public ServerServiceDefinitionBuilder AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Add(method, MethodType.DuplexStreaming, handler);

    public ServerServiceDefinition Build() => new(_methods.ToArray());

    private ServerServiceDefinitionBuilder Add<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType shape,
        Delegate handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Type != shape)
        {
            throw new ArgumentException($"{method.FullName} is {method.Type} but the handler is {shape}.", nameof(handler));
        }

        if (!_names.Add(method.FullName))
        {
            throw new ArgumentException($"{method.FullName} is already added.", nameof(method));
        }

        _methods.Add(new ServerMethodEntry<TRequest, TResponse>(method, handler));
        return this;
    }
}
