using MlAspire.Grpc.Health.V1;
using MlAspire.Grpc.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlAspire.Grpc.Health;

/// <summary>
/// grpc.health.v1.Health over the host's <see cref="HealthCheckService"/>. Service "" is the whole host (every
/// registration). A named service selects the registrations whose name equals it or that carry it as a tag; a name
/// that selects none is unknown (Check: NOT_FOUND, Watch: SERVICE_UNKNOWN). Healthy and Degraded report SERVING,
/// Unhealthy NOT_SERVING.
/// </summary>
internal sealed class GrpcHealthService(HealthCheckService healthChecks, IOptions<HealthCheckServiceOptions> registrations,
    IOptions<GrpcHealthOptions> options, ILogger<GrpcHealthService> logger) : IGrpcService<GrpcHealthService>
{
    public static void BindService(ServiceBinder<GrpcHealthService> binder) => binder
        .AddUnary(HealthMethods.Check, static (service, request, context) => service.CheckAsync(request, context))
        .AddServerStreaming(HealthMethods.Watch,
            static (service, request, stream, context) => service.WatchAsync(request, stream, context));

    private async Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        var status = await EvaluateAsync(request.Service, context.CancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            GrpcThrow.NotFound($"Unknown service '{request.Service}'.");
        }

        return new HealthCheckResponse { Status = status.Value };
    }

    private async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> stream,
        ServerCallContext context)
    {
        var token = context.CancellationToken;
        HealthCheckResponse.Types.ServingStatus? last = null;

        // Ends when the watcher goes away or its deadline passes (the token is cancelled).
        while (true)
        {
            var status = await EvaluateAsync(request.Service, token).ConfigureAwait(false)
                ?? HealthCheckResponse.Types.ServingStatus.ServiceUnknown;
            if (status != last)
            {
                await stream.WriteAsync(new HealthCheckResponse { Status = status }, token).ConfigureAwait(false);
                last = status;
            }

            await Task.Delay(options.Value.WatchInterval, token).ConfigureAwait(false);
        }
    }

    private async Task<HealthCheckResponse.Types.ServingStatus?> EvaluateAsync(string service, CancellationToken cancellationToken)
    {
        HealthReport report;
        if (service.Length == 0)
        {
            report = await healthChecks.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var selected = registrations.Value.Registrations.Any(r => Selects(r, service));
            if (!selected)
            {
                return null;
            }

            report = await healthChecks.CheckHealthAsync(r => Selects(r, service), cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, entry) in report.Entries)
        {
            if (entry.Exception is not null)
            {
                Log.HealthCheckFailed(logger, name, entry.Exception);
            }
        }

        return report.Status == HealthStatus.Unhealthy
            ? HealthCheckResponse.Types.ServingStatus.NotServing
            : HealthCheckResponse.Types.ServingStatus.Serving;
    }

    private static bool Selects(HealthCheckRegistration registration, string service) =>
        string.Equals(registration.Name, service, StringComparison.Ordinal) || registration.Tags.Contains(service);
}
