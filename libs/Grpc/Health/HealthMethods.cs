using MlAspire.Grpc.Health.V1;

namespace MlAspire.Grpc.Health;

/// <summary>Method descriptors of grpc.health.v1.Health, for servers and clients.</summary>
public static class HealthMethods
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static Method<HealthCheckRequest, HealthCheckResponse> Check { get; } =
        new(MethodType.Unary, ServiceName, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    public static Method<HealthCheckRequest, HealthCheckResponse> Watch { get; } =
        new(MethodType.ServerStreaming, ServiceName, "Watch", HealthCheckRequest.Parser, HealthCheckResponse.Parser);
}
