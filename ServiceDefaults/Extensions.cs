using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using MlAspire.ServiceDefaults.Discovery;
using MlAspire.ServiceDefaults.Health;
using MlAspire.ServiceDefaults.Resilience;
using MlAspire.ServiceDefaults.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MlAspire.ServiceDefaults;

/// <summary>
/// What every MlAspire service gets, in the shape of Aspire's ServiceDefaults: OpenTelemetry (exported over OTLP only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), service discovery and the standard resilience handler on every
/// HttpClient, and the <c>/health</c> + <c>/alive</c> endpoints. On top: settings validated at start with a message
/// naming the key, JSON health bodies, and health probes left out of traces.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.AddOptions<ServiceDiscoveryOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceDiscoveryOptions>, ServiceEndpointsValidator>());

        builder.Services.AddOptions<StandardResilienceOptions>()
            .BindConfiguration(StandardResilienceOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StandardResilienceOptions>, StandardResilienceOptionsValidator>());
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Outermost first: one pipeline (one circuit breaker) per logical target such as "inference", and every
            // retry resolves the service again, so it can land on another replica.
            http.AddStandardResilienceHandler()
                .Configure((options, services) => StandardResilienceOptions.Apply(services.GetRequiredService<IConfiguration>(), options))
                .SelectPipelineByAuthority();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // The SDK reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES itself; without a name, the application's.
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(builder.Environment.ApplicationName, autoGenerateServiceInstanceId: false);
                }
            })
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Microsoft.Extensions.Diagnostics.HealthChecks", TelemetryOptions.OwnSources))
            .WithTracing(tracing => tracing
                .AddSource(TelemetryOptions.OwnSources)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !HealthEndpoints.IsHealthPath(context.Request.Path))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        var settings = builder.Configuration.Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (settings.ExportEnabled && new TelemetryOptionsValidator().Validate(name: null, settings).Succeeded)
        {
            // The protocol is passed on because the .NET exporter's own default is grpc, where the OpenTelemetry
            // specification (and our README) default to http/protobuf; for http/protobuf the exporter appends the
            // signal paths (/v1/traces, ...) to the endpoint. OTEL_EXPORTER_OTLP_HEADERS and the OTEL_BSP/BLRP/METRIC
            // intervals the SDK reads from configuration itself. A bad value is left to ValidateOnStart, which fails
            // start naming the key.
            var protocol = settings.OTEL_EXPORTER_OTLP_PROTOCOL == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            telemetry.UseOtlpExporter(protocol, new Uri(settings.OTEL_EXPORTER_OTLP_ENDPOINT!));
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), [HealthEndpoints.LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c> (every check) and <c>/alive</c> (checks tagged <c>live</c>), in every environment: the AppHost and
    /// Kubernetes probes use them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app) => app.MapHealthEndpoints();
}
