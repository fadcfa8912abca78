using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MlAspire.Grpc.Health;

public static class GrpcHealthExtensions
{
    /// <summary>Registers grpc.health.v1.Health over the host's health checks (also calls AddGrpc and AddHealthChecks).</summary>
    public static IServiceCollection AddGrpcHealth(this IServiceCollection services, Action<GrpcHealthOptions>? configure = null)
    {
        services.AddGrpc();
        services.AddHealthChecks();
        var options = services.AddOptions<GrpcHealthOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcHealthOptions>, GrpcHealthOptionsValidator>());
        services.TryAddSingleton<GrpcHealthService>();
        return services;
    }

    /// <summary>Maps grpc.health.v1.Health (Check and Watch).</summary>
    public static IEndpointConventionBuilder MapGrpcHealthService(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<GrpcHealthService>();
}
