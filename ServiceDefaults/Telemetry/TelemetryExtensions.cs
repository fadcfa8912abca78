using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MlAspire.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry without the hosting/instrumentation packages (the registry copy lacks them): the SDK's providers are
/// built here, listen to the framework's own ActivitySources and Meters plus every <c>MlAspire.*</c> one, and export
/// over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>ActivitySources the framework emits by itself (ASP.NET Core hosting, HttpClient) and ours.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } =
    [
        "Microsoft.AspNetCore",
        "System.Net.Http",
        "MlAspire.*",
    ];

    /// <summary>Meters the framework emits by itself (ASP.NET Core, Kestrel, HttpClient, runtime) and ours.</summary>
    public static IReadOnlyList<string> Meters { get; } =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.Extensions.Diagnostics.HealthChecks",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
        "MlAspire.*",
    ];

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        builder.Services.AddTransient<IStartupFilter, HttpServerActivityStartupFilter>();

        var options = new TelemetryOptions();
        builder.Configuration.Bind(options);
        if (!options.ExportEnabled || !IsValid(options))
        {
            // Nothing to export to (or a bad value that ValidateOnStart reports at start, naming the key).
            return builder;
        }

        var resource = CreateResource(options, builder.Environment.ApplicationName);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(resource);
            logging.AddOtlpExporter(exporter =>
            {
                Configure(exporter, options, "v1/logs");
                exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = options.OTEL_BLRP_SCHEDULE_DELAY;
            });
        });

        var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource([.. ActivitySources])
            .AddOtlpExporter(exporter =>
            {
                Configure(exporter, options, "v1/traces");
                exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = options.OTEL_BSP_SCHEDULE_DELAY;
            })
            .Build();

        var meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter([.. Meters])
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, options, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.OTEL_METRIC_EXPORT_INTERVAL;
            })
            .Build();

        builder.Services.AddSingleton(tracerProvider);
        builder.Services.AddSingleton(meterProvider);
        builder.Services.AddHostedService(_ => new TelemetryLifetime(tracerProvider, meterProvider));
        return builder;
    }

    private static bool IsValid(TelemetryOptions options) =>
        new TelemetryOptionsValidator().Validate(name: null, options).Succeeded;

    internal static ResourceBuilder CreateResource(TelemetryOptions options, string applicationName)
    {
        var serviceName = string.IsNullOrWhiteSpace(options.OTEL_SERVICE_NAME) ? applicationName : options.OTEL_SERVICE_NAME;
        var version = Assembly.GetEntryAssembly()?.GetName().Version?.ToString();
        return ResourceBuilder.CreateEmpty()
            .AddService(serviceName, serviceVersion: version, autoGenerateServiceInstanceId: false)
            .AddAttributes(ResourceAttributes.Parse(options.OTEL_RESOURCE_ATTRIBUTES));
    }

    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        var endpoint = options.OTEL_EXPORTER_OTLP_ENDPOINT!.TrimEnd('/');
        if (options.OTEL_EXPORTER_OTLP_PROTOCOL == "grpc")
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = new Uri(endpoint);
        }
        else
        {
            // A programmatic endpoint is used verbatim for HTTP, so the signal path is appended here, as the
            // specification says an SDK does for OTEL_EXPORTER_OTLP_ENDPOINT.
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri($"{endpoint}/{signalPath}");
        }

        if (!string.IsNullOrWhiteSpace(options.OTEL_EXPORTER_OTLP_HEADERS))
        {
            exporter.Headers = options.OTEL_EXPORTER_OTLP_HEADERS;
        }
    }

    /// <summary>Flushes and disposes the providers when the host stops.</summary>
    private sealed class TelemetryLifetime(TracerProvider tracerProvider, MeterProvider meterProvider)
        : IHostedService, IDisposable
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracerProvider.ForceFlush(2_000);
            meterProvider.ForceFlush(2_000);
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            tracerProvider.Dispose();
            meterProvider.Dispose();
        }
    }
}
