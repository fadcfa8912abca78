using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MlAspire.Queue;
using MlAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>Tests that need their own gateway configuration or their own Redis (rate limits, Redis going away).</summary>
public sealed class GatewayResilienceTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static GatewayFactory GatewayQueueingAtMostThree(TestRedis redis, FakeInferenceServer inference) =>
        new(redis.ConnectionString, inference.Address, new Dictionary<string, string?>
        {
            ["Gateway:MaxQueueLength"] = "3",
            ["Gateway:StreamMaxLength"] = "1000",
        });

    private static ByteArrayContent Png()
    {
        var content = new ByteArrayContent(TestImages.Digit());
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task RequestsOverTheKeysRateLimitGet429WithRetryAfter()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address, new Dictionary<string, string?>
        {
            ["Gateway:RateLimitBurst"] = "3",
            ["Gateway:RateLimitPerSecond"] = "1",
        });
        var client = factory.CreateAuthorizedClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await client.GetAsync("/v1/models", Timeout);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 2);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(Timeout)).RootElement;
        Assert.Equal(429, body.GetProperty("status").GetInt32());

        // Limits are per key: no key is rejected as 401 before any rate limiting, and health is never limited.
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/v1/models", Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Timeout)).StatusCode);
    }

    [Fact]
    public async Task SubmissionGets503WithRetryAfterWhenRedisIsDown()
    {
        var redis = await TestRedis.StartAsync();
        try
        {
            await using var inference = await FakeInferenceServer.StartAsync();
            await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address);
            var client = factory.CreateAuthorizedClient();
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout)).StatusCode);

            await redis.KillAsync();
            var response = await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout);
            var text = await response.Content.ReadAsStringAsync(Timeout);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            var body = JsonDocument.Parse(text).RootElement;
            Assert.Equal(503, body.GetProperty("status").GetInt32());
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            var get = await client.GetAsync("/v1/jobs/0123456789abcdef0123456789abcdef", Timeout);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task SubmissionsForAKnownModelAreQueuedWhileTheInferenceServiceIsAwayAndAnUnknownOneGets404()
    {
        await using var redis = await TestRedis.StartAsync();
        var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address);
        var client = factory.CreateAuthorizedClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models", Timeout)).StatusCode); // listed once

        await inference.DisposeAsync();
        var queued = await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout);
        var unknown = await client.PostAsync("/v1/jobs?model=nope", Png(), Timeout);
        var classify = await client.PostAsync("/v1/models/digits:classify", Png(), Timeout);

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var id = JsonDocument.Parse(await queued.Content.ReadAsStringAsync(Timeout)).RootElement.GetProperty("id").GetString()!;
        await using var connection = await redis.ConnectAsync();
        Assert.Equal("queued", (string?)await connection.GetDatabase().HashGetAsync(QueueKeys.Job(id), "status"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // Queued too; nobody runs it while the service is away, so the wait runs out: 504 with the job to poll.
        Assert.Equal(HttpStatusCode.GatewayTimeout, classify.StatusCode);
        Assert.True(JsonDocument.Parse(await classify.Content.ReadAsStringAsync(Timeout)).RootElement.TryGetProperty("jobId", out _));
    }

    [Fact]
    public async Task BeforeTheGatewayEverReachesTheInferenceServiceTheModelRepositoryNamesTheModels()
    {
        await using var redis = await TestRedis.StartAsync();
        var nowhere = $"http://127.0.0.1:{Ports.Free()}";
        await using var withRepository = new GatewayFactory(redis.ConnectionString, nowhere, new Dictionary<string, string?>
        {
            ["Gateway:ModelRepository"] = MlAspire.Tests.Shared.RepoRoot.Models,
        });
        await using var without = new GatewayFactory(redis.ConnectionString, nowhere);
        var client = withRepository.CreateAuthorizedClient();

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/v1/jobs?model=nope", Png(), Timeout)).StatusCode);
        // Nothing to go by: the gateway cannot tell, and says so.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await without.CreateAuthorizedClient().PostAsync("/v1/jobs?model=digits", Png(), Timeout)).StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EventStreamAndLongPollOpenAcrossARedisRestartEndWithTheJobsFinalStateOrAnExplicitError(bool dataKept)
    {
        await using var redis = await TestRedis.StartAsync(appendOnly: dataKept);
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address, new Dictionary<string, string?>
        {
            ["Gateway:EventStreamKeepAlive"] = "00:00:01",
        });
        var client = factory.CreateAuthorizedClient();
        var accepted = await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout);
        var id = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(Timeout)).RootElement.GetProperty("id").GetString()!;
        using var events = await client.GetAsync($"/v1/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead, Timeout);
        var stream = events.Content.ReadAsStringAsync(Timeout);
        var poll = client.GetAsync($"/v1/jobs/{id}?wait=25", Timeout);
        await Task.Delay(300);

        await redis.KillAsync();
        await Task.Delay(2500); // longer than the keep-alive interval: comments flow while Redis is away
        await redis.RestartAsync();
        await using var connection = await redis.ConnectAsync();
        if (dataKept)
        {
            // Play the worker once Redis is back (same script a worker runs).
            var db = connection.GetDatabase();
            var entry = (await db.StreamRangeAsync(QueueKeys.Jobs)).Single(e => (string?)e["id"] == id);
            var result = new JobResult("digits", "1", [new Prediction("7", 7, 0.9)], new JobTimings(0.5, 2, 1));
            Assert.Equal(1, (long)await db.ScriptEvaluateAsync(
                JobScripts.CompleteMany,
                [QueueKeys.Jobs, QueueKeys.Job(id), QueueKeys.Image(id)],
                [QueueKeys.WorkersGroup, QueueKeys.JobEvents, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, id, entry.Id,
                    JsonSerializer.Serialize(result, QueueJsonContext.Default.JobResult)]));
        }

        var text = await stream.WaitAsync(TimeSpan.FromSeconds(20));
        var polled = await poll.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("\n: keep-alive\n", text, StringComparison.Ordinal);
        var data = text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement).ToList();
        if (dataKept)
        {
            Assert.Equal(["queued", "succeeded"], data.Select(d => d.GetProperty("status").GetString()));
            Assert.DoesNotContain("event: error", text, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
            Assert.Equal("succeeded", JsonDocument.Parse(await polled.Content.ReadAsStringAsync(Timeout)).RootElement.GetProperty("status").GetString());
        }
        else
        {
            // The job went with Redis's data: the stream says so instead of just stopping, and the poll answers 404.
            Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
            Assert.Contains("event: error\ndata: ", text, StringComparison.Ordinal);
            Assert.Contains("no longer exists", data[^1].GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, polled.StatusCode);
        }
    }

    [Fact]
    public async Task ModelsComeFromTheInferenceService()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address);
        var client = factory.CreateAuthorizedClient();

        var list = JsonDocument.Parse(await client.GetStringAsync("/v1/models", Timeout)).RootElement.GetProperty("models");
        var model = JsonDocument.Parse(await client.GetStringAsync("/v1/models/digits", Timeout)).RootElement;
        var unknown = await client.GetAsync("/v1/models/nope", Timeout);

        Assert.Equal("digits", list[0].GetProperty("name").GetString());
        Assert.True(list[0].GetProperty("ready").GetBoolean());
        Assert.Equal(8, model.GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(10, model.GetProperty("labels").GetArrayLength());
        Assert.Equal(28, model.GetProperty("preprocessing").GetProperty("width").GetInt32());
        Assert.Equal([-1L, 1, 28, 28], model.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesEveryEndpoint()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address);

        var doc = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json", Timeout)).RootElement;
        var paths = doc.GetProperty("paths");

        foreach (var path in new[] { "/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/events", "/v1/models", "/v1/models/{model}", "/v1/models/{model}:classify" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty("JobView", out _));
        Assert.True(schemas.TryGetProperty("ProblemDetails", out _));
        Assert.True(paths.GetProperty("/v1/jobs").GetProperty("post").GetProperty("responses").TryGetProperty("202", out _));
    }

    [Fact]
    public async Task WithoutConfiguredKeysAuthenticationIsOff()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address, new Dictionary<string, string?> { ["Gateway:ApiKeys:0"] = null });
        await using var connection = await redis.ConnectAsync();
        var client = connection.GetDatabase();

        var response = await factory.CreateClient().PostAsync("/v1/jobs?model=digits", Png(), Timeout);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, await client.StreamLengthAsync(QueueKeys.Jobs));
    }

    [Fact]
    public async Task MalformedApiKeyConfigurationFailsAtStart()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address, new Dictionary<string, string?> { ["Gateway:ApiKeys:0"] = "tester:not-a-hash" });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Gateway:ApiKeys:0", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmissionsPastTheQueueBoundGet503WithRetryAfterAndStoreNothing()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = GatewayQueueingAtMostThree(redis, inference);
        await using var connection = await redis.ConnectAsync();
        var store = connection.GetDatabase();
        var client = factory.CreateAuthorizedClient();

        // No worker runs: the first three are queued, the fourth would be one too many.
        using var keyed = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs?model=digits") { Content = Png() };
        keyed.Headers.Add("Idempotency-Key", "first");
        var first = await ResponseAssert.HasStatusAsync(HttpStatusCode.Accepted, client.SendAsync(keyed, Timeout));
        for (var i = 0; i < 2; i++)
        {
            await ResponseAssert.HasStatusAsync(HttpStatusCode.Accepted, client.PostAsync("/v1/jobs?model=digits", Png(), Timeout));
        }

        var full = await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), full.Headers.RetryAfter?.Delta);
        var body = JsonDocument.Parse(await full.Content.ReadAsStringAsync(Timeout)).RootElement;
        Assert.Equal("Queue full", body.GetProperty("title").GetString());
        Assert.Equal(3, await store.StreamLengthAsync(QueueKeys.Jobs));

        // A retry of an accepted submission still gets its job back (a replay stores nothing new)...
        using var retry = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs?model=digits") { Content = Png() };
        retry.Headers.Add("Idempotency-Key", "first");
        var replay = await ResponseAssert.HasStatusAsync(HttpStatusCode.Accepted, client.SendAsync(retry, Timeout));
        Assert.Equal(first.Headers.Location, replay.Headers.Location);

        // ...and a multipart submission is all or nothing against the bound.
        using var form = new MultipartFormDataContent { { Png(), "images", "a.png" }, { Png(), "images", "b.png" } };
        await ResponseAssert.HasStatusAsync(HttpStatusCode.ServiceUnavailable, client.PostAsync("/v1/jobs?model=digits", form, Timeout));
        Assert.Equal(3, await store.StreamLengthAsync(QueueKeys.Jobs));

        // A worker takes two (delivered, not finished: still counted) and finishes one, acknowledging and deleting its
        // entry as workers do: room for exactly one more.
        await store.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "0");
        var taken = await store.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "w", ">", 2);
        await ResponseAssert.HasStatusAsync(HttpStatusCode.ServiceUnavailable, client.PostAsync("/v1/jobs?model=digits", Png(), Timeout));
        await store.ScriptEvaluateAsync(JobScripts.Acknowledge, [QueueKeys.Jobs], [QueueKeys.WorkersGroup, taken[0].Id]);
        await ResponseAssert.HasStatusAsync(HttpStatusCode.Accepted, client.PostAsync("/v1/jobs?model=digits", Png(), Timeout));
        await ResponseAssert.HasStatusAsync(HttpStatusCode.ServiceUnavailable, client.PostAsync("/v1/jobs?model=digits", Png(), Timeout));

        // Deleting an entry ahead of the group makes Redis lose track of the lag; the stream, holding only queued and
        // pending jobs, still says how many there are.
        var undelivered = await store.StreamRangeAsync(QueueKeys.Jobs, "(" + taken[1].Id, "+");
        Assert.Equal(1, await store.StreamDeleteAsync(QueueKeys.Jobs, [undelivered[0].Id]));
        Assert.Null(Assert.Single(await store.StreamGroupInfoAsync(QueueKeys.Jobs)).Lag);
        await ResponseAssert.HasStatusAsync(HttpStatusCode.Accepted, client.PostAsync("/v1/jobs?model=digits", Png(), Timeout));
        await ResponseAssert.HasStatusAsync(HttpStatusCode.ServiceUnavailable, client.PostAsync("/v1/jobs?model=digits", Png(), Timeout));
    }

    [Fact]
    public async Task QueueBoundCountsTheUndeliveredEntriesWhenFinishedOnesWereKeptAndTheLagIsUnknown()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = GatewayQueueingAtMostThree(redis, inference);
        await using var connection = await redis.ConnectAsync();
        var store = connection.GetDatabase();
        var client = factory.CreateAuthorizedClient();

        // Seven finished entries left in the stream (acknowledged, not deleted: workers of an older build), then two
        // undelivered ones of which the first is deleted by hand, so Redis cannot tell the lag.
        await store.StreamCreateConsumerGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "$");
        for (var i = 0; i < 7; i++)
        {
            await store.StreamAddAsync(QueueKeys.Jobs, [new("id", $"old-{i}"), new("model", "digits")]);
        }

        var finished = await store.StreamReadGroupAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, "w", ">", 10);
        Assert.Equal(7, await store.StreamAcknowledgeAsync(QueueKeys.Jobs, QueueKeys.WorkersGroup, [.. finished.Select(e => e.Id)]));
        var gone = await store.StreamAddAsync(QueueKeys.Jobs, [new("id", "gone"), new("model", "digits")]);
        await store.StreamAddAsync(QueueKeys.Jobs, [new("id", "queued"), new("model", "digits")]);
        Assert.Equal(1, await store.StreamDeleteAsync(QueueKeys.Jobs, [gone]));
        Assert.Null(Assert.Single(await store.StreamGroupInfoAsync(QueueKeys.Jobs)).Lag);
        Assert.Equal(8, await store.StreamLengthAsync(QueueKeys.Jobs)); // over twice the bound: walked

        // One job queued: two more fit, the third does not.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PostAsync("/v1/jobs?model=digits", Png(), Timeout)).StatusCode);
    }

    [Fact]
    public async Task StreamCapBelowTwiceTheQueueBoundFailsAtStart()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var inference = await FakeInferenceServer.StartAsync();
        await using var factory = new GatewayFactory(redis.ConnectionString, inference.Address, new Dictionary<string, string?>
        {
            ["Gateway:MaxQueueLength"] = "5000",
            ["Gateway:StreamMaxLength"] = "9999",
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Gateway:StreamMaxLength", ex.ToString(), StringComparison.Ordinal);
    }
}
