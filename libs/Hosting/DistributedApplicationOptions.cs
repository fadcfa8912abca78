namespace MlAspire.Hosting;

/// <summary>Settings of the AppHost itself. Each can also come from configuration (key in the remarks).</summary>
public sealed class DistributedApplicationOptions
{
    public string[] Args { get; init; } = [];

    /// <summary>AppHost project folder (<c>AppHost:ProjectDirectory</c>); default: the folder recorded in the
    /// AppHost assembly at build time, else the current directory.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>Where run mode keeps state such as Redis data (<c>AppHost:StateDirectory</c>); default
    /// <c>&lt;ProjectDirectory&gt;/obj/mlaspire</c>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>How long a resource may take to become healthy, including waiting for its dependencies
    /// (<c>AppHost:StartupTimeout</c>).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Grace period between SIGTERM and SIGKILL when stopping (<c>AppHost:StopTimeout</c>).</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First restart delay after a crash; doubles per consecutive crash up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often health checks run.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Log lines kept in memory per replica for a dashboard.</summary>
    public int LogLinesPerReplica { get; set; } = 2000;

    /// <summary>Build project resources with <c>dotnet build</c> before starting (<c>AppHost:BuildProjects</c>).</summary>
    public bool BuildProjects { get; set; } = true;

    /// <summary>OTLP endpoint the services export telemetry to (<c>AppHost:OtlpEndpointUrl</c> or Aspire's
    /// <c>DOTNET_DASHBOARD_OTLP_ENDPOINT_URL</c>). Null: no <c>OTEL_EXPORTER_OTLP_*</c> variables are set.
    /// This is the hook a dashboard's OTLP receiver plugs into.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c> (<c>AppHost:OtlpProtocol</c>).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Headers for the OTLP exporters (<c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>k=v,k2=v2</c>); the dashboard
    /// sets its receiver's API key here.</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>Start the dashboard in run mode (<c>AppHost:Dashboard</c>); on for <c>CreateBuilder(string[])</c>.
    /// Its OTLP receiver becomes <see cref="OtlpEndpoint"/> unless one is configured.</summary>
    public bool EnableDashboard { get; set; }

    /// <summary>Where the dashboard UI listens (<c>AppHost:DashboardUrl</c>); null: a free port on 127.0.0.1.</summary>
    public Uri? DashboardUrl { get; set; }

    /// <summary>Where the dashboard's OTLP/HTTP receiver listens (<c>AppHost:DashboardOtlpUrl</c>); null: a free port on 127.0.0.1.</summary>
    public Uri? DashboardOtlpUrl { get; set; }

    /// <summary>How much telemetry the dashboard keeps in memory.</summary>
    public Otlp.TelemetryLimits TelemetryLimits { get; set; } = new();

    /// <summary>Where replica output and the resource table go; null: the console. Tests pass a writer of their own.</summary>
    public TextWriter? Output { get; set; }

    /// <summary>Logger for the AppHost's own messages; null: a single-line console logger on stdout.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Echo every replica's output line to <see cref="Output"/> (prefixed with the replica id).</summary>
    public bool EchoResourceLogs { get; set; } = true;

    /// <summary>Exit the process with a message (no stack trace) when validation or startup fails; set by
    /// <c>CreateBuilder(string[])</c> for the AppHost's own entry point.</summary>
    public bool ExitOnError { get; set; }
}
