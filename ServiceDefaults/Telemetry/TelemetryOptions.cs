using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace MlAspire.ServiceDefaults.Telemetry;

/// <summary>
/// The standard OpenTelemetry variables every service honours. The OpenTelemetry SDK reads them itself (from
/// configuration, so <c>OTEL_EXPORTER_OTLP_ENDPOINT=...</c> arrives the same way); they are bound here only to be
/// validated at start, with a message naming the key, where the SDK would ignore a bad value or fail later.
/// Exporters switch on only when <see cref="OTEL_EXPORTER_OTLP_ENDPOINT"/> is set.
/// </summary>
#pragma warning disable CA1707 // Property names mirror the standard OTEL_* variable names on purpose.
public sealed class TelemetryOptions : IValidatableObject
{
    /// <summary>Every ActivitySource and Meter of ours: one per component that does I/O, all named <c>MlAspire.*</c>.</summary>
    public const string OwnSources = "MlAspire.*";

    /// <summary>Base URL of the OTLP receiver, e.g. <c>http://localhost:4318</c>. Unset: nothing is exported.</summary>
    [Url]
    public string? OTEL_EXPORTER_OTLP_ENDPOINT { get; set; }

    /// <summary><c>http/protobuf</c> (the OpenTelemetry specification's default) or <c>grpc</c>.</summary>
    [RegularExpression("^(grpc|http/protobuf)$", ErrorMessage = "OTEL_EXPORTER_OTLP_PROTOCOL must be 'grpc' or 'http/protobuf'.")]
    public string OTEL_EXPORTER_OTLP_PROTOCOL { get; set; } = "http/protobuf";

    /// <summary>Extra headers for the exporter, <c>key=value,key2=value2</c> (e.g. an API key for the collector).</summary>
    public string? OTEL_EXPORTER_OTLP_HEADERS { get; set; }

    /// <summary>The service name; defaults to the application name.</summary>
    public string? OTEL_SERVICE_NAME { get; set; }

    /// <summary>Resource attributes, <c>key=value,key2=value2</c> with percent-encoded values.</summary>
    public string? OTEL_RESOURCE_ATTRIBUTES { get; set; }

    /// <summary>Milliseconds between metric exports.</summary>
    [Range(100, 3_600_000)]
    public int OTEL_METRIC_EXPORT_INTERVAL { get; set; } = 60_000;

    /// <summary>Milliseconds between span batch exports.</summary>
    [Range(1, 3_600_000)]
    public int OTEL_BSP_SCHEDULE_DELAY { get; set; } = 5_000;

    /// <summary>Milliseconds between log batch exports.</summary>
    [Range(1, 3_600_000)]
    public int OTEL_BLRP_SCHEDULE_DELAY { get; set; } = 1_000;

    /// <summary>True when an OTLP endpoint is configured and exporters should run.</summary>
    public bool ExportEnabled => !string.IsNullOrWhiteSpace(OTEL_EXPORTER_OTLP_ENDPOINT);

    /// <summary>
    /// True when <paramref name="configuration"/> names an OTLP endpoint, so spans leave the process. Instrumentation
    /// that is costly per call (Redis command spans record every command through the client's profiler) is only
    /// worth its price then.
    /// </summary>
    public static bool IsExportConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[nameof(OTEL_EXPORTER_OTLP_ENDPOINT)]);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ExportEnabled && !Uri.TryCreate(OTEL_EXPORTER_OTLP_ENDPOINT, UriKind.Absolute, out _))
        {
            yield return new ValidationResult(
                $"OTEL_EXPORTER_OTLP_ENDPOINT '{OTEL_EXPORTER_OTLP_ENDPOINT}' is not an absolute URL.",
                [nameof(OTEL_EXPORTER_OTLP_ENDPOINT)]);
        }

        string? attributesError = null;
        try
        {
            ResourceAttributes.Parse(OTEL_RESOURCE_ATTRIBUTES);
        }
        catch (FormatException ex)
        {
            attributesError = ex.Message;
        }

        if (attributesError is not null)
        {
            yield return new ValidationResult(attributesError, [nameof(OTEL_RESOURCE_ATTRIBUTES)]);
        }
    }
}
#pragma warning restore CA1707
