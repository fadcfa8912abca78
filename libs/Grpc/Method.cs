using Google.Protobuf;

namespace MlAspire.Grpc;

/// <summary>A typed method descriptor: the route, the call shape and how to parse each message.</summary>
public sealed class Method<TRequest, TResponse> : IMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public Method(MethodType type, string serviceName, string name,
        MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (serviceName.Contains('/', StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("Service and method names cannot contain '/'.");
        }

        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    public MethodType Type { get; }

    public string ServiceName { get; }

    public string Name { get; }

    public string FullName { get; }

    public MessageParser<TRequest> RequestParser { get; }

    public MessageParser<TResponse> ResponseParser { get; }

    public override string ToString() => FullName;
}
