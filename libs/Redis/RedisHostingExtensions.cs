using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlAspire.Redis;

/// <summary>Aspire-style registration of the Redis client.</summary>
public static class RedisHostingExtensions
{
    private const string SectionName = "MlAspire:Redis";

    /// <summary>
    /// Registers a singleton <see cref="RedisClient"/> for <c>ConnectionStrings:&lt;connectionName&gt;</c>, a health check
    /// named <c>redis-&lt;connectionName&gt;</c> (PING), and the <c>MlAspire.Redis</c> Meter and ActivitySource.
    /// A missing or malformed connection string fails at start with a message naming the key.
    /// </summary>
    public static IHostApplicationBuilder AddRedisClient(
        this IHostApplicationBuilder builder, string connectionName, Action<RedisClientSettings>? configure = null)
    {
        AddRedisClientCore(builder, connectionName, configure, serviceKey: null);
        return builder;
    }

    /// <summary>
    /// As <see cref="AddRedisClient"/>, but registers the client as a keyed singleton (key = <paramref name="connectionName"/>),
    /// so one application can talk to several Redis servers.
    /// </summary>
    public static IHostApplicationBuilder AddKeyedRedisClient(
        this IHostApplicationBuilder builder, string connectionName, Action<RedisClientSettings>? configure = null)
    {
        AddRedisClientCore(builder, connectionName, configure, serviceKey: connectionName);
        return builder;
    }

    private static void AddRedisClientCore(
        IHostApplicationBuilder builder, string connectionName, Action<RedisClientSettings>? configure, string? serviceKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        builder.Services.AddOptions<RedisClientSettings>(connectionName)
            .Configure<IConfiguration>((settings, configuration) =>
            {
                configuration.GetSection(SectionName).Bind(settings);
                if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
                {
                    settings.ConnectionString = connectionString;
                }

                configure?.Invoke(settings);
            })
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisClientSettings>, RedisClientSettingsValidator>());
        builder.Services.AddSingleton<IValidateOptions<RedisClientSettings>>(new RedisConnectionStringValidator(connectionName));

        RedisClient Create(IServiceProvider services)
        {
            var settings = services.GetRequiredService<IOptionsMonitor<RedisClientSettings>>().Get(connectionName);
            var options = RedisOptions.Parse(settings.ConnectionString!);
            settings.ConfigureOptions?.Invoke(options);
            var client = RedisClient.Create(options, services.GetService<ILoggerFactory>());
            client.TracingEnabled = !settings.DisableTracing;
            client.MetricsEnabled = !settings.DisableMetrics;
            return client;
        }

        if (serviceKey is null)
        {
            builder.Services.AddSingleton(Create);
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (services, _) => Create(services));
        }

        var snapshot = new RedisClientSettings();
        builder.Configuration.GetSection(SectionName).Bind(snapshot);
        configure?.Invoke(snapshot);
        if (!snapshot.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "redis-" + connectionName,
                services => new RedisHealthCheck(
                    serviceKey is null ? services.GetRequiredService<RedisClient>() : services.GetRequiredKeyedService<RedisClient>(serviceKey),
                    services.GetRequiredService<IOptionsMonitor<RedisClientSettings>>().Get(connectionName).HealthCheckTimeout),
                HealthStatus.Unhealthy,
                ["ready"]));
        }
    }
}
