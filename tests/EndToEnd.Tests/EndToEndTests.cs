using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Xunit.Abstractions;
using MlAspire.Tests.Shared;
using StackExchange.Redis;

namespace MlAspire.EndToEnd.Tests;

/// <summary>Redis, Inference.Service, Preprocessing.Worker(s) and Gateway.Api as real processes on loopback.</summary>
public sealed class EndToEndTests(SystemFixture system, ITestOutputHelper output) : IClassFixture<SystemFixture>, IAsyncLifetime
{
    private const string Jobs = "mlaspire:jobs";
    private const string Group = "workers";
    private const string Events = "mlaspire:job-events";

    public Task InitializeAsync() => system.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string[] TestImages() =>
        [.. Directory.GetFiles(Path.Combine(RepoRoot.Models, "digits", "testdata"), "*.png").Order(StringComparer.Ordinal)];

    /// <summary>The label from a test file name: NNN_label.png.</summary>
    private static string LabelOf(string path) => Path.GetFileNameWithoutExtension(path).Split('_')[1];

    /// <summary>Entries delivered but not acknowledged (0 before any worker has created the group).</summary>
    private async Task<long> PendingAsync(CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return (await system.Client.StreamPendingAsync(Jobs, Group)).PendingMessageCount;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return 0;
        }
    }

    private static ByteArrayContent Png(string path)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task HeldOutDigitsThroughTheHttpApiAreClassifiedWithAtLeast97PercentAccuracy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        system.StartWorker("worker-a");
        system.StartWorker("worker-b");
        using var client = await system.StartGatewayAsync();
        var files = TestImages();
        Assert.Equal(100, files.Length);

        var submitted = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cts.Token }, async (file, ct) =>
        {
            var response = await client.PostAsync("/v1/jobs?model=digits", Png(file), ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString()!;
            submitted[file] = id;
        });

        var correct = 0;
        foreach (var (file, id) in submitted)
        {
            var job = JsonDocument.Parse(await client.GetStringAsync($"/v1/jobs/{id}?wait=60", cts.Token)).RootElement;
            Assert.Equal("succeeded", job.GetProperty("status").GetString());
            Assert.Equal("digits", job.GetProperty("model").GetString());
            var top = job.GetProperty("predictions")[0];
            if (top.GetProperty("label").GetString() == LabelOf(file))
            {
                correct++;
            }
        }

        output.WriteLine($"accuracy through the HTTP API: {correct}/100");
        Assert.True(correct >= 97, $"{correct}/100 correct");

        // The synchronous path answers with the result directly.
        var classify = await client.PostAsync("/v1/models/digits:classify", Png(files[0]), cts.Token);
        Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        var result = JsonDocument.Parse(await classify.Content.ReadAsStringAsync(cts.Token)).RootElement;
        Assert.Equal(LabelOf(files[0]), result.GetProperty("predictions")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task JobsHeldByAKilledWorkerAreReclaimedAndEachSucceedsExactlyOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var succeeded = new ConcurrentDictionary<string, int>();
        var subscription = await system.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Events));
        subscription.OnMessage(message =>
        {
            // "<id> succeeded <the job hash as JSON>": the snapshot may hold spaces, so split off two words only.
            var parts = ((string?)message.Message ?? "").Split(' ', 3);
            if (parts is [var id, "succeeded", _])
            {
                succeeded.AddOrUpdate(id, 1, (_, n) => n + 1);
            }
        });

        // Worker A takes the batch and then sits on it (testing aid), so it dies holding every job.
        var doomed = system.StartWorker("doomed", ("Worker__HoldDelay", "00:05:00"));
        using var client = await system.StartGatewayAsync();
        var files = TestImages().Take(20).ToArray();
        using var form = new MultipartFormDataContent();
        foreach (var file in files)
        {
            form.Add(Png(file), "images", Path.GetFileName(file));
        }

        var accepted = await client.PostAsync("/v1/jobs?model=digits", form, cts.Token);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var ids = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(cts.Token)).RootElement
            .GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(20, ids.Length);

        while (await PendingAsync(cts.Token) < ids.Length)
        {
            Assert.False(doomed.HasExited, doomed.Output);
            await Task.Delay(50, cts.Token);
        }

        await doomed.KillAsync();
        Assert.Empty(succeeded);

        // Worker B takes over the jobs of the worker whose heartbeat lapsed (Worker:HeartbeatTimeout, 4 s by default).
        system.StartWorker("rescuer", ("Worker__ClaimInterval", "00:00:00.500"));
        foreach (var id in ids)
        {
            var job = JsonDocument.Parse(await client.GetStringAsync($"/v1/jobs/{id}?wait=60", cts.Token)).RootElement;
            Assert.Equal("succeeded", job.GetProperty("status").GetString());
        }

        while (await PendingAsync(cts.Token) > 0)
        {
            await Task.Delay(50, cts.Token);
        }

        await Task.Delay(500, cts.Token);
        Assert.Equal(ids.Order(), succeeded.Keys.Order());
        Assert.All(succeeded.Values, count => Assert.Equal(1, count));
    }
}
