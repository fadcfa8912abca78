using System.Collections.Concurrent;
using System.Diagnostics;
using MlAspire.Queue;

namespace MlAspire.Preprocessing.Worker.Tests;

public sealed class JobTracingTests
{
    [Fact]
    public async Task TheWorkerContinuesTheTraceTheGatewayStoredWithTheJob()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var enqueueSpan = ActivitySpanId.CreateRandom();
        var traceParent = $"00-{traceId}-{enqueueSpan}-01";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            // Grpc.Net.Client's own call activity, as ServiceDefaults' GrpcNetClient instrumentation records it.
            ShouldListenTo = source => source.Name is WorkerTelemetry.Name or "OpenTelemetry.Instrumentation.GrpcNetClient",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueTracedAsync(traceParent, WorkerHarness.Digit());

        Assert.Equal(traceParent, (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.TraceParent));
        harness.StartWorker();
        await harness.WaitTerminalAsync(ids);
        Assert.Equal("succeeded", await harness.StatusAsync(ids[0]));

        // The job reads succeeded as soon as the worker's completion script ran; its span ends just after that.
        var waited = Stopwatch.StartNew();
        while (!stopped.Any(a => a.Source.Name == WorkerTelemetry.Name) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        var batch = Assert.Single(stopped, a => a.Source.Name == WorkerTelemetry.Name);
        Assert.Equal(enqueueSpan, batch.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, batch.Kind);
        var call = Assert.Single(stopped, a => a.OperationName == "Grpc.Net.Client.GrpcOut");
        Assert.Equal(batch.SpanId, call.ParentSpanId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-traceparent")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    public void MissingOrMalformedContextStartsANewTrace(string stored) =>
        Assert.False(JobTracing.TryParse(stored, out _));
}
