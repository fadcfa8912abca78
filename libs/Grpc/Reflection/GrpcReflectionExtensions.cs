using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MlAspire.Grpc.Reflection;

public static class GrpcReflectionExtensions
{
    /// <summary>Registers server reflection; pass the generated descriptors of the .proto files your services use.</summary>
    public static IServiceCollection AddGrpcReflection(this IServiceCollection services, params FileDescriptor[] files)
    {
        services.AddGrpc();
        services.AddOptions<GrpcReflectionOptions>().Configure(o =>
        {
            foreach (var file in files)
            {
                o.Files.Add(file);
            }
        });
        services.TryAddSingleton<GrpcReflectionService>();
        return services;
    }

    /// <summary>Maps grpc.reflection.v1alpha.ServerReflection.</summary>
    public static IEndpointConventionBuilder MapGrpcReflectionService(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<GrpcReflectionService>();
}
