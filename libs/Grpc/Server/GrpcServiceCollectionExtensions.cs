using MlAspire.Grpc.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MlAspire.Grpc;

public static class GrpcServiceCollectionExtensions
{
    /// <summary>Registers the gRPC server: options (validated at start), metrics, routing.</summary>
    public static IServiceCollection AddGrpc(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        services.AddRouting();
        services.AddMetrics();
        var options = services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcServerOptions>, GrpcServerOptionsValidator>());
        services.TryAddSingleton<GrpcServerDiagnostics>();
        services.TryAddSingleton<GrpcServerRegistry>();
        return services;
    }
}
