using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlAspire.Grpc.Internal;

/// <summary>Meter and ActivitySource "MlAspire.Grpc.Client".</summary>
internal static class GrpcClientDiagnostics
{
    public const string Name = "MlAspire.Grpc.Client";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter s_meter = new(Name);
    private static readonly Counter<long> s_started =
        s_meter.CreateCounter<long>("grpc.client.call.started", "{call}", "gRPC calls started");
    private static readonly Counter<long> s_completed =
        s_meter.CreateCounter<long>("grpc.client.call.completed", "{call}", "gRPC calls completed, by status");
    private static readonly Histogram<double> s_duration =
        s_meter.CreateHistogram<double>("grpc.client.call.duration", "s", "gRPC call duration");
    private static readonly Counter<long> s_sent =
        s_meter.CreateCounter<long>("grpc.client.messages.sent", "{message}", "Request messages sent");
    private static readonly Counter<long> s_received =
        s_meter.CreateCounter<long>("grpc.client.messages.received", "{message}", "Response messages received");

    public static void CallStarted(IMethod method)
    {
        if (s_started.Enabled)
        {
            s_started.Add(1, new("rpc.service", method.ServiceName), new("rpc.method", method.Name));
        }
    }

    public static void CallCompleted(IMethod method, StatusCode status, TimeSpan elapsed)
    {
        var service = new KeyValuePair<string, object?>("rpc.service", method.ServiceName);
        var name = new KeyValuePair<string, object?>("rpc.method", method.Name);
        if (s_completed.Enabled)
        {
            s_completed.Add(1, service, name, new("rpc.grpc.status_code", (int)status));
        }

        if (s_duration.Enabled)
        {
            s_duration.Record(elapsed.TotalSeconds, service, name, new("rpc.grpc.status_code", (int)status));
        }
    }

    public static void MessageSent(IMethod method)
    {
        if (s_sent.Enabled)
        {
            s_sent.Add(1, new("rpc.service", method.ServiceName), new("rpc.method", method.Name));
        }
    }

    public static void MessageReceived(IMethod method)
    {
        if (s_received.Enabled)
        {
            s_received.Add(1, new("rpc.service", method.ServiceName), new("rpc.method", method.Name));
        }
    }

    /// <summary>Starts the client span without making it current for the caller (streaming calls return synchronously).</summary>
    public static Activity? StartActivity(IMethod method)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(method.FullName[1..], ActivityKind.Client);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", method.ServiceName);
            activity.SetTag("rpc.method", method.Name);
        }

        return activity;
    }
}
