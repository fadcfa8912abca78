using System.Collections.Concurrent;
using System.Text.Json;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Tests;

/// <summary>The events the queue's scripts publish, and how they are parsed.</summary>
public sealed class JobEventTests
{
    [Theory]
    [InlineData("abc processing", "abc", "processing", null)]
    [InlineData("abc succeeded [\"status\",\"succeeded\"]", "abc", "succeeded", "[\"status\",\"succeeded\"]")]
    [InlineData("abc failed [\"error\",\"a b c\"]", "abc", "failed", "[\"error\",\"a b c\"]")]
    [InlineData("abc succeeded ", "abc", "succeeded", null)]
    public void EventsSplitIntoIdStatusAndSnapshot(string message, string id, string status, string? snapshot)
    {
        Assert.True(JobStatuses.TryParseEvent(message, out var parsedId, out var parsedStatus, out var parsedSnapshot));
        Assert.Equal(id, parsedId);
        Assert.Equal(status, parsedStatus);
        Assert.Equal(snapshot, parsedSnapshot);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(" succeeded")]
    [InlineData("abc ")]
    [InlineData("abc  [\"status\"]")]
    public void MalformedEventsAreRefused(string? message) =>
        Assert.False(JobStatuses.TryParseEvent(message, out _, out _, out _));

    [Fact]
    public async Task TerminalEventsCarryTheJobHashAsTheScriptsWroteIt()
    {
        await using var harness = await WorkerHarness.StartAsync();
        var events = new ConcurrentQueue<string>();
        (await harness.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(QueueKeys.JobEvents))).OnMessage(m => events.Enqueue((string)m.Message!)); // in order
        var ids = await harness.EnqueueAsync(WorkerHarness.Digit(), "definitely not an image"u8.ToArray());
        harness.StartWorker();
        await harness.WaitTerminalAsync(ids);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (events.Count(e => e.Contains(" succeeded ", StringComparison.Ordinal) || e.Contains(" failed ", StringComparison.Ordinal)) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the terminal events did not arrive");
            await Task.Delay(20);
        }

        foreach (var (id, status) in new[] { (ids[0], JobStatuses.Succeeded), (ids[1], JobStatuses.Failed) })
        {
            var message = Assert.Single(events, e => e.StartsWith(id + " " + status, StringComparison.Ordinal));
            Assert.True(JobStatuses.TryParseEvent(message, out _, out _, out var snapshot));
            var pairs = JsonSerializer.Deserialize<string[]>(snapshot!)!;
            var published = Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[(2 * i) + 1]);
            var stored = (await harness.Client.HashGetAllAsync(QueueKeys.Job(id))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
            Assert.Equal(0, pairs.Length % 2);
            Assert.Equal(stored, published);
            Assert.Equal(status, published[JobFields.Status]);
        }

        Assert.Contains(JobFields.Result, events.Where(e => e.StartsWith(ids[0], StringComparison.Ordinal)).Last());
        Assert.Contains("cannot be decoded", events.Where(e => e.StartsWith(ids[1], StringComparison.Ordinal)).Last());
    }
}
