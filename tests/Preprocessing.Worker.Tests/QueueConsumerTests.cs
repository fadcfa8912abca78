using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using MlAspire.Preprocessing.Worker.Services;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Tests;

public sealed class QueueConsumerTests
{
    [Fact]
    public async Task QueuedJobsAreProcessedInBatchesNoLargerThanTheModelAllows()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.Inference.State.MaxBatchSize = 4;
        var ids = await harness.EnqueueAsync([.. Enumerable.Repeat(WorkerHarness.Digit(), 10)]);

        harness.StartWorker(("Worker:BatchSize", "32"));
        await harness.WaitTerminalAsync(ids);

        var batches = harness.Inference.State.BatchSizes.ToArray();
        Assert.Equal(10, batches.Sum());
        Assert.All(batches, b => Assert.InRange(b, 1, 4));
        Assert.Contains(batches, b => b > 1);
        foreach (var id in ids)
        {
            Assert.Equal("succeeded", await harness.StatusAsync(id));
            var result = JsonSerializer.Deserialize((string?)await harness.Client.HashGetAsync(QueueKeys.Job(id), JobFields.Result) ?? "", QueueJsonContext.Default.JobResult)!;
            Assert.Equal(3, result.Predictions.Count);
            Assert.Equal("7", result.Predictions[0].Label);
            Assert.Equal(Math.Exp(10) / (Math.Exp(10) + 9), result.Predictions[0].Score, 5);
            Assert.False(await harness.Client.KeyExistsAsync(QueueKeys.Image(id)));
        }

        Assert.Equal(0, await harness.PendingAsync());
        Assert.Equal(0, await harness.Client.StreamLengthAsync(QueueKeys.Jobs)); // acknowledged entries are deleted
    }

    [Fact]
    public async Task TransientUnavailableIsRetriedWithoutLosingTheJob()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.Inference.State.FailNext(2);
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());

        harness.StartWorker(("Worker:MaxAttempts", "1"));
        await harness.WaitTerminalAsync(ids);

        // Retries of a transient failure are not deliveries: one attempt, even with MaxAttempts 1.
        Assert.Equal("succeeded", await harness.StatusAsync(ids[0]));
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Attempts));
        Assert.Equal(3, harness.Inference.State.InferCalls);
        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task JobWhoseInferenceKeepsFailingTransientlyIsDeadLetteredAfterRetryFor()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.Inference.State.FailNext(1000);
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());

        harness.StartWorker(("Worker:RetryFor", "00:00:01"), ("Worker:RetryBaseDelay", "00:00:00.050"), ("Worker:RetryMaxDelay", "00:00:00.100"));
        await harness.WaitTerminalAsync(ids);

        Assert.Equal("failed", await harness.StatusAsync(ids[0]));
        Assert.Contains("Gave up after 1 s: inference kept failing (Unavailable)", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Error));
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Attempts));
        Assert.True(harness.Inference.State.InferCalls > 2, $"{harness.Inference.State.InferCalls} calls: it should have kept retrying for the whole second");
        var dead = await harness.Client.StreamRangeAsync(QueueKeys.DeadLetter);
        Assert.Equal(ids[0], (string?)Assert.Single(dead)["id"]);
        Assert.Contains("Unavailable", (string?)dead[0]["reason"]);
        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task WorkerRetryingATransientFailureKeepsItsJobsWhileItsHeartbeatLives()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.Inference.State.FailNext(30); // ~3 s of failures at <= 100 ms apart: five times HeartbeatTimeout
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        (string, string)[] fast =
        [
            ("Worker:HeartbeatTimeout", "00:00:00.600"), ("Worker:HeartbeatInterval", "00:00:00.100"),
            ("Worker:ClaimInterval", "00:00:00.100"), ("Worker:RetryMaxDelay", "00:00:00.100"),
        ];
        harness.StartWorker([("Worker:ConsumerName", "a"), .. fast]);
        while (await harness.PendingAsync() < 1)
        {
            await Task.Delay(20, cts.Token);
        }

        harness.StartWorker([("Worker:ConsumerName", "b"), .. fast]);
        await harness.WaitTerminalAsync(ids, seconds: 60);

        Assert.Equal("succeeded", await harness.StatusAsync(ids[0]));
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Attempts));
        Assert.Equal("a", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), "worker"));
        Assert.Equal(31, harness.Inference.State.InferCalls);
        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task NonTransientInferenceErrorFailsAtOnce()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.Inference.State.FailureCode = StatusCode.InvalidArgument;
        harness.Inference.State.FailNext(1);
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());

        harness.StartWorker();
        await harness.WaitTerminalAsync(ids);

        Assert.Equal("failed", await harness.StatusAsync(ids[0]));
        Assert.Equal(1, harness.Inference.State.InferCalls);
    }

    [Fact]
    public async Task BadImageFailsWithItsReasonAndIsDeadLettered()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueAsync("definitely not an image"u8.ToArray(), WorkerHarness.Digit());

        harness.StartWorker();
        await harness.WaitTerminalAsync(ids);

        Assert.Equal("failed", await harness.StatusAsync(ids[0]));
        Assert.Equal("succeeded", await harness.StatusAsync(ids[1]));
        Assert.Contains("cannot be decoded", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Error));
        var dead = Assert.Single(await harness.Client.StreamRangeAsync(QueueKeys.DeadLetter));
        Assert.Equal(ids[0], (string?)dead["id"]);
        Assert.Equal([1], harness.Inference.State.BatchSizes.ToArray());
        Assert.Equal(0, await harness.PendingAsync());
        Assert.Equal(0, await harness.Client.StreamLengthAsync(QueueKeys.Jobs)); // the dead-lettered entry too
    }

    [Fact]
    public async Task JobDeliveredTwiceProducesOneResult()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var events = new ConcurrentQueue<string>();
        (await harness.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(QueueKeys.JobEvents))).OnMessage(m => events.Enqueue((string)m.Message!)); // in order
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());
        harness.StartWorker();
        await harness.WaitTerminalAsync(ids);
        var firstResult = (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Result);

        // A second delivery of the same job (as after a reclaim from a worker that was slow, not dead).
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", ids[0]), new("model", "digits")]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await harness.Client.StreamGroupInfoAsync(QueueKeys.Jobs))[0] is { Lag: > 0 } or { PendingMessageCount: > 0 })
        {
            await Task.Delay(20, cts.Token);
        }

        await Task.Delay(200, cts.Token);
        Assert.Single(events, e => e.StartsWith(ids[0] + " succeeded ", StringComparison.Ordinal));
        Assert.Equal(firstResult, (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Result));
        Assert.Equal(1, harness.Inference.State.InferCalls);
    }

    [Fact]
    public async Task CompleteScriptWritesAResultOnceAndAcknowledgesTheEntry()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());
        var entry = (await harness.Client.StreamRangeAsync(QueueKeys.Jobs)).Single();
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        Assert.Single(await harness.Client.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "c", ">", 10));
        RedisKey[] keys = [QueueKeys.Jobs, QueueKeys.Job(ids[0]), QueueKeys.Image(ids[0])];
        RedisValue[] Args(string json) => [QueueKeys.WorkersGroup, QueueKeys.JobEvents, 1, 1, ids[0], entry.Id, json];

        var first = await harness.Client.ScriptEvaluateAsync(JobScripts.CompleteMany, keys, Args("{\"first\":1}"));
        Assert.Equal(0, await harness.PendingAsync());
        Assert.Equal(0, await harness.Client.StreamLengthAsync(QueueKeys.Jobs));
        Assert.False(await harness.Client.KeyExistsAsync(QueueKeys.Image(ids[0])));
        var second = await harness.Client.ScriptEvaluateAsync(JobScripts.CompleteMany, keys, Args("{\"second\":1}"));
        var fail = await harness.Client.ScriptEvaluateAsync(JobScripts.Fail, [QueueKeys.Job(ids[0]), QueueKeys.Image(ids[0]), QueueKeys.DeadLetter], ["late", 2, QueueKeys.JobEvents, ids[0], "digits", "x"]);

        Assert.Equal(1, (long)first);
        Assert.Equal(0, (long)second);
        Assert.Equal(0, (long)fail);
        Assert.Equal("{\"first\":1}", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Result));
        Assert.Equal("succeeded", await harness.StatusAsync(ids[0]));
    }

    [Fact]
    public async Task CompleteScriptTakesTheLargestBatchAWorkerReads()
    {
        // Worker:BatchSize is at most 1024; the script passes that many keys and entry ids to single commands at once.
        await using var harness = await WorkerHarness.StartAsync();
        var n = 1024;
        var ids = await harness.EnqueueAsync([.. Enumerable.Repeat(WorkerHarness.Digit(), n)]);
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        var entries = await harness.Client.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "c", ">", n);
        Assert.Equal(n, entries.Length);
        var keys = new List<RedisKey> { QueueKeys.Jobs };
        keys.AddRange(ids.Select(id => (RedisKey)QueueKeys.Job(id)));
        keys.AddRange(ids.Select(id => (RedisKey)QueueKeys.Image(id)));
        var args = new List<RedisValue> { QueueKeys.WorkersGroup, QueueKeys.JobEvents, 1, n };
        args.AddRange(ids.Select(id => (RedisValue)id));
        args.AddRange(entries.Select(e => (RedisValue)e.Id));
        args.AddRange(ids.Select(_ => (RedisValue)"{}"));

        var written = await harness.Client.ScriptEvaluateAsync(JobScripts.CompleteMany, [.. keys], [.. args]);

        Assert.Equal(n, (long)written);
        Assert.Equal(0, await harness.PendingAsync());
        Assert.Equal(0, await harness.Client.StreamLengthAsync(QueueKeys.Jobs));
        Assert.False(await harness.Client.KeyExistsAsync(QueueKeys.Image(ids[^1])));
        Assert.Equal("succeeded", await harness.StatusAsync(ids[^1]));
    }

    [Fact]
    public async Task TrimFinishedRemovesOnlyEntriesOlderThanTheOldestPendingOne()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((string)(await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", $"j{i}"), new("model", "digits")]))!);
        }

        RedisKey[] keys = [QueueKeys.Jobs];
        RedisValue[] args = [QueueKeys.WorkersGroup];
        Assert.Equal(0, (long)await harness.Client.ScriptEvaluateAsync(JobScripts.TrimFinished, keys, args)); // no group yet
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        Assert.Equal(5, (await harness.Client.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "c", ">", 5)).Length);
        // Finished and kept (an older build's workers): j0, j1 and j3; j2 and j4 pending; j5 not delivered.
        await harness.Client.StreamAcknowledgeAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, [ids[0], ids[1], ids[3]]);

        Assert.Equal(2, (long)await harness.Client.ScriptEvaluateAsync(JobScripts.TrimFinished, keys, args));
        Assert.Equal(ids[2..], (await harness.Client.StreamRangeAsync(QueueKeys.Jobs)).Select(e => (string)e.Id!));

        // Nothing pending: everything up to the last delivered entry goes, the undelivered one stays.
        await harness.Client.StreamAcknowledgeAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, [ids[2], ids[4]]);
        Assert.Equal(3, (long)await harness.Client.ScriptEvaluateAsync(JobScripts.TrimFinished, keys, args));
        Assert.Equal([ids[5]], (await harness.Client.StreamRangeAsync(QueueKeys.Jobs)).Select(e => (string)e.Id!));

        // A second group may not have read what the workers finished: nothing is removed then.
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, "audit", "0");
        Assert.Single(await harness.Client.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "c", ">", 5));
        await harness.Client.StreamAcknowledgeAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, [ids[5]]);
        Assert.Equal(0, (long)await harness.Client.ScriptEvaluateAsync(JobScripts.TrimFinished, keys, args));
        Assert.Equal(1, await harness.Client.StreamLengthAsync(QueueKeys.Jobs));
    }

    [Fact]
    public async Task WorkerRemovesFinishedEntriesAnOlderBuildLeftInTheStream()
    {
        await using var harness = await WorkerHarness.StartAsync();
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        for (var i = 0; i < 5; i++)
        {
            await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", $"old-{i}"), new("model", "digits")]);
        }

        var old = await harness.Client.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "old-worker", ">", 10);
        await harness.Client.StreamAcknowledgeAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, [.. old.Select(e => e.Id)]);
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit());

        harness.StartWorker(("Worker:ClaimInterval", "00:00:00.200"));
        await harness.WaitTerminalAsync(ids);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await harness.Client.StreamLengthAsync(QueueKeys.Jobs) > 0)
        {
            await Task.Delay(50, cts.Token);
        }

        Assert.Equal("succeeded", await harness.StatusAsync(ids[1]));
    }

    [Fact]
    public async Task DeliverCountsTheAttemptOfLiveJobsAsItHandsThemOverAndAnnouncesProcessingOnce()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var events = new ConcurrentQueue<string>();
        (await harness.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(QueueKeys.JobEvents))).OnMessage(m => events.Enqueue((string)m.Message!)); // in order
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var ids = await harness.EnqueueTracedAsync(traceParent, WorkerHarness.Digit(), WorkerHarness.Digit());
        await harness.Client.HashSetAsync(QueueKeys.Job(ids[1]), JobFields.Status, "succeeded");
        await harness.Client.HashSetAsync(QueueKeys.Job("no-status"), JobFields.Top, "2"); // not a hash the gateway wrote
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", "gone"), new("model", "digits")]);
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", "no-status"), new("model", "digits")]);
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("something", "else")]);
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        RedisValue[] Args(string consumer, string from, long now) =>
            [QueueKeys.WorkersGroup, consumer, 10, from, now, QueueKeys.JobEvents, QueueKeys.JobPrefix];

        var first = QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Deliver, [QueueKeys.Jobs], Args("w1", ">", 1000)));
        var nothingNew = QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Deliver, [QueueKeys.Jobs], Args("w1", ">", 1500)));
        var again = QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Deliver, [QueueKeys.Jobs], Args("w1", "0", 2000)));

        static string[] Row(QueuedJob j) => [j.Id, j.Model, j.PreviousStatus, j.Attempts.ToString(CultureInfo.InvariantCulture), j.Top.ToString(CultureInfo.InvariantCulture), j.TraceParent];
        Assert.Equal(5, first.Count);
        Assert.Equal([ids[0], "digits", "queued", "1", "3", traceParent], Row(first[0]));
        Assert.Equal([ids[1], "digits", "succeeded", "0", "0", ""], Row(first[1]));
        Assert.Equal(["gone", "digits", "missing", "0", "0", ""], Row(first[2]));
        Assert.Equal(["no-status", "digits", "missing", "0", "0", ""], Row(first[3]));
        Assert.Equal(["", "", "missing", "0", "0", ""], Row(first[4]));
        Assert.Empty(nothingNew);
        Assert.Equal(5, again.Count); // its own pending entries, handed over again: a delivery, counted, not announced again
        Assert.Equal([ids[0], "digits", "processing", "2", "3", traceParent], Row(again[0]));
        Assert.Equal(5, await harness.PendingAsync());
        var job = await harness.Client.HashGetAllAsync(QueueKeys.Job(ids[0]));
        Assert.Equal("processing", (string?)job.Single(e => e.Name == JobFields.Status).Value);
        Assert.Equal("w1", (string?)job.Single(e => e.Name == JobFields.Worker).Value);
        Assert.Equal("1000", (string?)job.Single(e => e.Name == JobFields.Started).Value); // when processing began
        Assert.Equal("succeeded", await harness.StatusAsync(ids[1]));
        Assert.False(await harness.Client.KeyExistsAsync(QueueKeys.Job("gone")));
        Assert.Single(await harness.Client.HashGetAllAsync(QueueKeys.Job("no-status")));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (events.IsEmpty)
        {
            await Task.Delay(20, cts.Token);
        }

        await Task.Delay(200, cts.Token);
        Assert.Equal([ids[0] + " processing"], events.ToArray());
    }

    [Fact]
    public async Task ReclaimTakesOverOnlyTheJobsOfConsumersWhoseHeartbeatLapsedAndCountsTheAttempt()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit(), WorkerHarness.Digit());
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        RedisValue[] Deliver(string consumer, int count) => [QueueKeys.WorkersGroup, consumer, count, ">", 1000, QueueKeys.JobEvents, QueueKeys.JobPrefix];
        Assert.Single(QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Deliver, [QueueKeys.Jobs], Deliver("alive", 1))));
        Assert.Equal(2, QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Deliver, [QueueKeys.Jobs], Deliver("dead", 2))).Count);
        await harness.Client.StringSetAsync(QueueKeys.Heartbeat("alive"), 1, TimeSpan.FromMinutes(1));
        RedisValue[] Reclaim(long minIdleMs) =>
            [QueueKeys.WorkersGroup, "rescuer", 10, minIdleMs, 2000, QueueKeys.JobEvents, QueueKeys.JobPrefix, QueueKeys.HeartbeatPrefix];

        // Not idle long enough yet (as just after a Redis restart that lost every heartbeat): nothing is taken.
        Assert.Empty(QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Reclaim, [QueueKeys.Jobs], Reclaim(60_000))));
        await Task.Delay(100);
        var taken = QueuedJob.FromHandOver(await harness.Client.ScriptEvaluateAsync(JobScripts.Reclaim, [QueueKeys.Jobs], Reclaim(50)));

        Assert.Equal(ids[1..], taken.Select(j => j.Id));
        Assert.All(taken, j => Assert.Equal(2, j.Attempts));
        Assert.Equal("rescuer", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[1]), JobFields.Worker));
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Attempts)); // the live one's, untouched
        var consumers = (await harness.Client.StreamConsumerInfoAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup)).ToDictionary(c => c.Name, c => c.PendingMessageCount);
        Assert.Equal(new Dictionary<string, int> { ["alive"] = 1, ["rescuer"] = 2 }, consumers); // the dead consumer is removed
    }

    [Fact]
    public async Task JobsLeftPendingByADeadConsumerAreReclaimed()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit(), WorkerHarness.Digit());
        await harness.Client.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        var taken = await harness.Client.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "dead-consumer", ">", 10);
        Assert.Equal(3, taken.Length);

        harness.StartWorker(("Worker:HeartbeatTimeout", "00:00:00.300"), ("Worker:HeartbeatInterval", "00:00:00.100"), ("Worker:ClaimInterval", "00:00:00.200"));
        await harness.WaitTerminalAsync(ids);

        foreach (var id in ids)
        {
            Assert.Equal("succeeded", await harness.StatusAsync(id));
        }

        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task AJobsStreamDeletedUnderARunningWorkerIsRecreatedAndLaterJobsStillRun()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.StartWorker();
        await harness.WaitTerminalAsync(await harness.EnqueueAsync(WorkerHarness.Digit()));

        Assert.True(await harness.Client.KeyDeleteAsync(QueueKeys.Jobs)); // by hand, as in the fault run
        var after = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit());
        await harness.WaitTerminalAsync(after);

        foreach (var id in after)
        {
            Assert.Equal("succeeded", await harness.StatusAsync(id));
        }

        Assert.Contains(await harness.Client.StreamGroupInfoAsync(QueueKeys.Jobs), g => g.Name == QueueKeys.WorkersGroup);
    }

    [Fact]
    public async Task JobsWhoseStreamEntriesWereLostAreQueuedAgainOrFailedWithTheirReason()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var lost = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit(), WorkerHarness.Digit());
        Assert.True(await harness.Client.KeyDeleteAsync(QueueKeys.Jobs)); // entries gone, hashes and images kept
        Assert.True(await harness.Client.KeyDeleteAsync(QueueKeys.Image(lost[2]))); // and one image with them
        var kept = await harness.EnqueueAsync(WorkerHarness.Digit()); // queued after the loss: has its own entry

        harness.StartWorker();
        await harness.WaitTerminalAsync([.. lost, .. kept]);

        Assert.Equal("succeeded", await harness.StatusAsync(lost[0]));
        Assert.Equal("succeeded", await harness.StatusAsync(lost[1]));
        Assert.Equal("succeeded", await harness.StatusAsync(kept[0]));
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(kept[0]), JobFields.Attempts)); // not queued twice
        Assert.Equal("failed", await harness.StatusAsync(lost[2]));
        Assert.Contains("lost", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(lost[2]), "error"), StringComparison.Ordinal);
        var dead = await harness.Client.StreamRangeAsync(QueueKeys.DeadLetter);
        Assert.Equal(lost[2], (string?)Assert.Single(dead)["id"]);
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(lost[0]), JobFields.Attempts)); // queued again once
    }

    [Fact]
    public async Task GracefulStopLeavesUnfinishedJobsPendingForAnotherWorker()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit());
        var slow = harness.StartWorker(("Worker:HoldDelay", "00:05:00"), ("Worker:ConsumerName", "slow"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await harness.PendingAsync() < 2)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.True(await harness.Client.KeyExistsAsync(QueueKeys.Heartbeat("slow")));
        await slow.DisposeAsync(); // graceful: the host stops, the loop is cancelled mid-hold

        // Handed over (processing, one attempt counted at delivery), never run; its heartbeat went with it.
        Assert.Equal(2, await harness.PendingAsync());
        Assert.Equal("processing", await harness.StatusAsync(ids[0]));
        Assert.Equal(1L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Attempts));
        Assert.Equal(0, harness.Inference.State.InferCalls);
        Assert.False(await harness.Client.KeyExistsAsync(QueueKeys.Heartbeat("slow")));

        harness.StartWorker(("Worker:HeartbeatTimeout", "00:00:00.200"), ("Worker:HeartbeatInterval", "00:00:00.100"), ("Worker:ClaimInterval", "00:00:00.200"));
        await harness.WaitTerminalAsync(ids);
        Assert.Equal("succeeded", await harness.StatusAsync(ids[0]));
        Assert.Equal("succeeded", await harness.StatusAsync(ids[1]));
        Assert.Equal(2L, (long)await harness.Client.HashGetAsync(QueueKeys.Job(ids[1]), JobFields.Attempts));
        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task StreamEntriesThatAreNotJobsAreAcknowledgedAndDropped()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var before = await harness.EnqueueAsync(WorkerHarness.Digit());
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("something", "else")]);
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", "no-model")]);
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("model", "digits")]);
        var after = await harness.EnqueueAsync(WorkerHarness.Digit());

        harness.StartWorker();
        await harness.WaitTerminalAsync([.. before, .. after]);

        Assert.Equal("succeeded", await harness.StatusAsync(before[0]));
        Assert.Equal("succeeded", await harness.StatusAsync(after[0]));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await harness.Client.StreamLengthAsync(QueueKeys.Jobs) > 0)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.Equal(0, await harness.PendingAsync());
        Assert.Equal(2, harness.Inference.State.BatchSizes.Sum());
        Assert.Equal(0, await harness.Client.StreamLengthAsync(QueueKeys.DeadLetter));
    }

    [Fact]
    public async Task JobForAModelTheServiceDoesNotKnowFails()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());
        await harness.Client.HashSetAsync(QueueKeys.Job(ids[0]), JobFields.Model, "nope");
        await harness.Client.StreamAddAsync(QueueKeys.Jobs, [new("id", ids[0]), new("model", "nope")]);
        await harness.Client.ExecuteAsync("XTRIM", QueueKeys.Jobs, "MAXLEN", "1");

        harness.StartWorker();
        await harness.WaitTerminalAsync(ids);

        Assert.Equal("failed", await harness.StatusAsync(ids[0]));
        Assert.Contains("not served", (string?)await harness.Client.HashGetAsync(QueueKeys.Job(ids[0]), JobFields.Error));
    }

    [Fact]
    public async Task HealthReportsTheConsumeLoopAndItsDependencies()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var worker = harness.StartWorker();
        var client = worker.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        HttpResponseMessage response;
        do
        {
            await Task.Delay(50, cts.Token);
            response = await client.GetAsync("/health", cts.Token);
        }
        while (response.StatusCode != HttpStatusCode.OK);

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token)).RootElement;
        var names = body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("consumer", names);
        Assert.Contains("inference", names);
        Assert.Contains("StackExchange.Redis", names); // Aspire.StackExchange.Redis's PING check

        await harness.Redis.KillAsync();
        do
        {
            await Task.Delay(100, cts.Token);
            response = await client.GetAsync("/health", cts.Token);
        }
        while (response.StatusCode == HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    /// <summary>Settings under which an idle worker, without a wake-up, would not read the stream again for a minute.</summary>
    private static readonly (string, string)[] s_pollOnlyAfterAMinute = [("Worker:ReadBlock", "00:01:00"), ("Worker:ClaimInterval", "00:10:00")];

    [Fact]
    public async Task IdleWorkerIsWokenByTheEnqueueInsteadOfWaitingForItsNextRead()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.StartWorker(s_pollOnlyAfterAMinute);
        await WaitForSubscriberAsync(harness);
        await Task.Delay(300); // the worker's first reads found nothing: it is waiting now

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit());
        await harness.WaitTerminalAsync(ids, seconds: 30);

        Assert.Equal("succeeded", await harness.StatusAsync(ids[0]));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}: the worker waited for its poll, not the wake-up");
    }

    [Fact]
    public async Task ScriptsRunAgainAfterTheServerForgetsThem()
    {
        // The library loads each script once and sends EVALSHA after that; a server that lost its script cache (a
        // restart, SCRIPT FLUSH) answers NOSCRIPT, and the library must load the script again, not fail the job.
        await using var harness = await WorkerHarness.StartAsync();
        harness.StartWorker();
        var first = await harness.EnqueueAsync(WorkerHarness.Digit());
        await harness.WaitTerminalAsync(first);

        await harness.Client.ExecuteAsync("SCRIPT", "FLUSH");
        var second = await harness.EnqueueAsync(WorkerHarness.Digit(), WorkerHarness.Digit());
        await harness.WaitTerminalAsync(second);

        Assert.Equal("succeeded", await harness.StatusAsync(first[0]));
        Assert.Equal("succeeded", await harness.StatusAsync(second[0]));
        Assert.Equal("succeeded", await harness.StatusAsync(second[1]));
        Assert.Equal(0, await harness.PendingAsync());
    }

    [Fact]
    public async Task WorkerReconnectsAfterRedisRestartsAndIsWokenAgain()
    {
        await using var harness = await WorkerHarness.StartAsync();
        harness.StartWorker(s_pollOnlyAfterAMinute);
        var before = await harness.EnqueueAsync(WorkerHarness.Digit());
        await harness.WaitTerminalAsync(before);

        // A restart without persistence: the stream, the group and the scripts are gone; the connections drop.
        await harness.Redis.KillAsync();
        await harness.Redis.RestartAsync();
        await WaitForSubscriberAsync(harness); // the library subscribed again on its own

        var after = await harness.EnqueueAsync(WorkerHarness.Digit());
        await harness.WaitTerminalAsync(after, seconds: 40);

        // Within the 60 s the worker would otherwise wait: the group was created again and the wake-up arrived.
        Assert.Equal("succeeded", await harness.StatusAsync(after[0]));
        Assert.Equal(0, await harness.PendingAsync());
    }

    /// <summary>Waits until a worker has subscribed to the wake-up channel (the harness's own connection reconnects as needed).</summary>
    private static async Task WaitForSubscriberAsync(WorkerHarness harness)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                var reply = (RedisResult[])(await harness.Client.ExecuteAsync("PUBSUB", "NUMSUB", QueueKeys.JobsQueued))!;
                if ((long)reply[1] >= 1)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                // Redis is coming back.
            }

            await Task.Delay(50, cts.Token);
        }
    }
}
