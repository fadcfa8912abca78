using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;

namespace MlAspire.Grpc.Internal;

/// <summary>Meter and ActivitySource "MlAspire.Grpc.Server".</summary>
internal sealed class GrpcServerDiagnostics : IDisposable
{
    public const string Name = "MlAspire.Grpc.Server";

    private static readonly ActivitySource s_source = new(Name);
    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _received;

    public GrpcServerDiagnostics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _started = _meter.CreateCounter<long>("grpc.server.call.started", "{call}", "gRPC calls started");
        _completed = _meter.CreateCounter<long>("grpc.server.call.completed", "{call}", "gRPC calls completed, by status");
        _duration = _meter.CreateHistogram<double>("grpc.server.call.duration", "s", "gRPC call duration");
        _sent = _meter.CreateCounter<long>("grpc.server.messages.sent", "{message}", "Response messages sent");
        _received = _meter.CreateCounter<long>("grpc.server.messages.received", "{message}", "Request messages received");
    }

    public void CallStarted(IMethod method)
    {
        if (_started.Enabled)
        {
            _started.Add(1, new("rpc.service", method.ServiceName), new("rpc.method", method.Name));
        }
    }

    public static Activity? StartActivity(HttpContext httpContext, IMethod method)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        // ASP.NET Core's hosting activity (when someone listens to it) already extracted traceparent and is current;
        // otherwise extract it here so the span joins the caller's trace either way.
        ActivityContext parent = default;
        if (Activity.Current is null)
        {
            DistributedContextPropagator.Current.ExtractTraceIdAndState(httpContext.Request.Headers,
                static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
                {
                    values = null;
                    value = ((IHeaderDictionary)carrier!)[name].ToString();
                    if (value.Length == 0)
                    {
                        value = null;
                    }
                },
                out var traceParent, out var traceState);
            if (traceParent is not null)
            {
                _ = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out parent);
            }
        }

        var activity = s_source.StartActivity(method.FullName[1..], ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", method.ServiceName);
            activity.SetTag("rpc.method", method.Name);
        }

        return activity;
    }

    public void CallCompleted(IMethod method, StatusCode status, long sent, long received, TimeSpan elapsed,
        Activity? activity)
    {
        if (activity is not null)
        {
            activity.SetTag("rpc.grpc.status_code", (int)status);
            if (status != StatusCode.OK)
            {
                activity.SetStatus(ActivityStatusCode.Error, status.ToString());
            }
        }

        var service = new KeyValuePair<string, object?>("rpc.service", method.ServiceName);
        var name = new KeyValuePair<string, object?>("rpc.method", method.Name);
        if (_completed.Enabled)
        {
            _completed.Add(1, service, name, new("rpc.grpc.status_code", (int)status));
        }

        if (_duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, service, name, new("rpc.grpc.status_code", (int)status));
        }

        if (_sent.Enabled && sent > 0)
        {
            _sent.Add(sent, service, name);
        }

        if (_received.Enabled && received > 0)
        {
            _received.Add(received, service, name);
        }
    }

    public void Dispose() => _meter.Dispose();
}
