namespace MlAspire.Grpc;

/// <summary>A method descriptor without its message types.</summary>
public interface IMethod
{
    MethodType Type { get; }

    /// <summary>Fully qualified service name, e.g. "grpc.health.v1.Health".</summary>
    string ServiceName { get; }

    string Name { get; }

    /// <summary>The HTTP/2 path, "/{ServiceName}/{Name}".</summary>
    string FullName { get; }
}
