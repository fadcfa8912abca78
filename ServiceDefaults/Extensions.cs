using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlAspire.ServiceDefaults.Discovery;
using MlAspire.ServiceDefaults.Health;
using MlAspire.ServiceDefaults.Resilience;
using MlAspire.ServiceDefaults.Telemetry;

namespace MlAspire.ServiceDefaults;

/// <summary>What every MlAspire service gets: telemetry, health endpoints, service discovery and resilience.</summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.AddStandardResilience();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Outermost first: every retry resolves the service again, so it can land on another replica.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app) => app.MapHealthEndpoints();

    public static IServiceCollection AddServiceDiscovery(this IServiceCollection services)
    {
        services.AddOptions<ServiceDiscoveryOptions>()
            .Configure<Microsoft.Extensions.Configuration.IConfiguration>(
                (options, configuration) => options.Load(configuration.GetSection(ServiceDiscoveryOptions.SectionName)))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceDiscoveryOptions>, ServiceDiscoveryOptionsValidator>());
        services.TryAddSingleton<ServiceEndpointResolver>();
        return services;
    }

    public static IServiceCollection AddStandardResilience(this IServiceCollection services)
    {
        services.AddOptions<StandardResilienceOptions>()
            .BindConfiguration(StandardResilienceOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StandardResilienceOptions>, StandardResilienceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ResiliencePipelineCache>();
        return services;
    }

    public static IHttpClientBuilder AddServiceDiscovery(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(services => new ServiceDiscoveryHandler(services.GetRequiredService<ServiceEndpointResolver>()));

    /// <summary>Adds the standard pipeline; one pipeline (and so one circuit breaker) per target authority.</summary>
    public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(services => new ResilienceHandler(services.GetRequiredService<ResiliencePipelineCache>()));
}
