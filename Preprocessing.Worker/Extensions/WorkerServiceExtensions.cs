using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlAspire.Inference.Client;
using MlAspire.ServiceDefaults.Telemetry;
using MlAspire.Preprocessing.Worker.Services;

namespace MlAspire.Preprocessing.Worker.Extensions;

internal static class WorkerServiceExtensions
{
    /// <summary>Options, the Redis client ("redis"), the inference client ("inference"), the consume loop, metrics and health checks.</summary>
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Raw tensors are little-endian; this worker runs on little-endian platforms only.");
        }

        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, HeartbeatLimitsValidator>());
        // One IConnectionMultiplexer per process (Aspire.StackExchange.Redis): ConnectionStrings:redis, health check,
        // tracing; Aspire's defaults keep it reconnecting (abortConnect=false) while Redis is down or restarting.
        // Redis command spans only when traces are exported: the library records them through its profiler, for
        // every command, which cost the worker about 10 % of its CPU per job with no one to read them (BENCHMARKS.md).
        var exported = TelemetryOptions.IsExportConfigured(builder.Configuration);
        builder.AddRedisClient("redis", settings => settings.DisableTracing |= !exported);
        builder.AddInferenceClient("inference");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<WorkerMetrics>();
        builder.Services.AddSingleton(services => new ConsumerState
        {
            Consumer = QueueConsumer.ResolveConsumerName(services.GetRequiredService<IOptions<WorkerOptions>>().Value.ConsumerName),
        });
        builder.Services.AddSingleton<JobProcessor>();
        builder.Services.AddSingleton<LostJobRecovery>();
        builder.Services.AddSingleton<WorkerHeartbeat>();
        // The heartbeat first: hosted services stop in reverse order, so it outlives the consume loop.
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkerHeartbeat>());
        builder.Services.AddHostedService<QueueConsumer>();
        builder.Services.AddHealthChecks()
            .AddCheck<ConsumerHealthCheck>("consumer")
            .AddCheck<InferenceHealthCheck>("inference");
        return builder;
    }
}
