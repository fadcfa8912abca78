using MlAspire.Grpc.Reflection.V1Alpha;

namespace MlAspire.Grpc.Reflection;

/// <summary>Method descriptor of grpc.reflection.v1alpha.ServerReflection.</summary>
public static class ReflectionMethods
{
    public const string ServiceName = "grpc.reflection.v1alpha.ServerReflection";

    public static Method<ServerReflectionRequest, ServerReflectionResponse> ServerReflectionInfo { get; } =
        new(MethodType.DuplexStreaming, ServiceName, "ServerReflectionInfo", ServerReflectionRequest.Parser,
            ServerReflectionResponse.Parser);
}
