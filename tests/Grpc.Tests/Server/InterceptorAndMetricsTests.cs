using System.Diagnostics.Metrics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.Grpc.Tests.Server;

public sealed class InterceptorAndMetricsTests
{
    private sealed class RecordingInterceptor(string name, List<string> log) : ServerInterceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request,
            ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            lock (log)
            {
                log.Add(name + ">" + context.Method.Name);
            }

            var response = await continuation(request, context);
            lock (log)
            {
                log.Add(name + "<");
            }

            return response;
        }
    }

    private sealed class AuthInterceptor : ServerInterceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request,
            ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            if (context.RequestHeaders.GetValue("authorization") != "Bearer ok")
            {
                GrpcThrow.Unauthenticated("missing token");
            }

            return continuation(request, context);
        }
    }

    [Fact]
    public async Task InterceptorsWrapHandlersOutermostFirst()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new List<string>();
        await using var host = await GrpcTestHost.StartAsync(s => s.AddGrpc(o =>
        {
            o.Interceptors.Add(new RecordingInterceptor("a", log));
            o.Interceptors.Add(new RecordingInterceptor("b", log));
        }), e => e.MapGrpc(new ProbeService().Build()));
        using var channel = host.CreateChannel();
        await channel.CallInvoker.UnaryAsync(ProbeService.Echo, new BytesValue(), new CallOptions(CancellationToken: cts.Token));
        Assert.Equal(["a>Echo", "b>Echo", "b<", "a<"], log);
    }

    [Fact]
    public async Task InterceptorCanRejectACall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var probe = new ProbeService();
        await using var host = await GrpcTestHost.StartAsync(s => s.AddGrpc(o => o.Interceptors.Add(new AuthInterceptor())),
            e => e.MapGrpc(probe.Build()));
        using var channel = host.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Echo, new BytesValue(), new CallOptions(CancellationToken: cts.Token)));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal(0, probe.EchoCalls);

        await channel.CallInvoker.UnaryAsync(ProbeService.Echo, new BytesValue(),
            new CallOptions(Headers: new Metadata { { "authorization", "Bearer ok" } }, CancellationToken: cts.Token));
        Assert.Equal(1, probe.EchoCalls);
    }

    [Fact]
    public async Task ServerAndClientMetersCountCallsByStatusAndMessages()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Other test classes in this assembly run gRPC calls at the same time, and the client's meter is static, so
        // counts are checked on this host's own server meter only (its IMeterFactory is the meter's scope).
        var measurements = new List<(string Meter, string Instrument, double Value, int? Status, object? Scope)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name.StartsWith("MlAspire.Grpc.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            int? status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "rpc.grpc.status_code")
                {
                    status = (int)tag.Value!;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Meter.Name, instrument.Name, value, status, instrument.Meter.Scope));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var host = await GrpcTestHost.StartAsync(s => s.AddGrpc(), e => e.MapGrpc(new ProbeService().Build()));
        using var channel = host.CreateChannel();
        await channel.CallInvoker.UnaryAsync(ProbeService.Echo, new BytesValue(), new CallOptions(CancellationToken: cts.Token));
        await Assert.ThrowsAsync<RpcException>(() =>
            channel.CallInvoker.UnaryAsync(ProbeService.Throw, new Empty(), new CallOptions(CancellationToken: cts.Token)));

        (string, string, double, int?)[] seen;
        var ownScope = host.Services.GetRequiredService<IMeterFactory>();
        lock (measurements)
        {
            seen = [.. measurements
                .Where(m => m.Meter != "MlAspire.Grpc.Server" || ReferenceEquals(m.Scope, ownScope))
                .Select(m => (m.Meter, m.Instrument, m.Value, m.Status))];
        }

        Assert.Contains(("MlAspire.Grpc.Server", "grpc.server.call.completed", 1d, (int?)0), seen);
        Assert.Contains(("MlAspire.Grpc.Server", "grpc.server.call.completed", 1d, (int?)2), seen);
        Assert.Equal(2, seen.Count(m => m.Item2 == "grpc.server.call.started"));
        Assert.Contains(seen, m => m.Item2 == "grpc.server.call.duration" && m.Item4 == 0);
        Assert.Contains(seen, m => m.Item2 == "grpc.server.messages.received");
        Assert.Contains(seen, m => m.Item2 == "grpc.server.messages.sent");
        Assert.Contains(("MlAspire.Grpc.Client", "grpc.client.call.completed", 1d, (int?)0), seen);
        Assert.Contains(("MlAspire.Grpc.Client", "grpc.client.call.completed", 1d, (int?)2), seen);
        Assert.Contains(seen, m => m.Item2 == "grpc.client.call.duration");
    }
}
