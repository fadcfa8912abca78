using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Tests;

public sealed class JobsApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static ByteArrayContent Png(byte[] bytes, string type = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpContent content, string model = "digits", HttpClient? client = null)
    {
        client ??= fixture.Factory.CreateAuthorizedClient();
        var response = await client.PostAsync($"/v1/jobs?model={model}", content, Timeout);
        var text = await response.Content.ReadAsStringAsync(Timeout);
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Runs a bad request and checks the answer and that the stream did not grow.</summary>
    private async Task<JsonElement> AssertRejectedAsync(HttpContent content, HttpStatusCode expected, string model = "digits", string? title = null)
    {
        var before = await fixture.QueueLengthAsync();
        var (response, body) = await PostAsync(content, model);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, body.GetProperty("status").GetInt32());
        if (title is not null)
        {
            Assert.Equal(title, body.GetProperty("title").GetString());
        }

        Assert.Equal(before, await fixture.QueueLengthAsync());
        return body;
    }

    [Fact]
    public async Task PostJobReturns202WithLocationAndStoresTheJob()
    {
        var before = await fixture.QueueLengthAsync();
        var (response, body) = await PostAsync(Png(TestImages.Digit()));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal(before + 1, await fixture.QueueLengthAsync());
        Assert.Equal("queued", (string?)await fixture.Client.HashGetAsync(QueueKeys.Job(id), JobFields.Status));
        Assert.Equal(TestImages.Digit(), ((byte[]?)await fixture.Client.StringGetAsync(QueueKeys.Image(id)))!);
        Assert.NotNull(await fixture.Client.KeyTimeToLiveAsync(QueueKeys.Job(id)));
    }

    [Fact]
    public async Task PostJobWithMultipartCreatesOneJobPerImage()
    {
        var before = await fixture.QueueLengthAsync();
        using var form = new MultipartFormDataContent
        {
            { Png(TestImages.Digit(0)), "a", "a.png" },
            { Png(TestImages.Digit(1)), "b", "b.png" },
            { new StringContent("just a field"), "note" },
        };
        var (response, body) = await PostAsync(form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, body.GetProperty("jobs").GetArrayLength());
        Assert.Equal(before + 2, await fixture.QueueLengthAsync());
    }

    [Fact]
    public async Task RetriedSubmissionWithIdempotencyKeyReturnsTheSameJob()
    {
        var client = fixture.Factory.CreateAuthorizedClient();
        client.DefaultRequestHeaders.Add("Idempotency-Key", "retry-" + Guid.NewGuid());
        var before = await fixture.QueueLengthAsync();

        var (first, firstBody) = await PostAsync(Png(TestImages.Digit()), client: client);
        var (second, secondBody) = await PostAsync(Png(TestImages.Digit()), client: client);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(firstBody.GetProperty("id").GetString(), secondBody.GetProperty("id").GetString());
        Assert.True(secondBody.GetProperty("replayed").GetBoolean());
        Assert.Equal(before + 1, await fixture.QueueLengthAsync());
    }

    [Fact]
    public async Task PostJobReturns413WhenBodyIsOverTheLimit() =>
        await AssertRejectedAsync(Png(new byte[70_000]), HttpStatusCode.RequestEntityTooLarge, title: "Request body too large");

    [Fact]
    public async Task PostJobReturns415ForUnsupportedMediaType() =>
        await AssertRejectedAsync(Png(TestImages.Digit(), "image/gif"), HttpStatusCode.UnsupportedMediaType, title: "Unsupported Media Type");

    [Fact]
    public async Task PostJobReturns415WithoutAContentType()
    {
        var content = new ByteArrayContent(TestImages.Digit());
        content.Headers.ContentType = null;
        var body = await AssertRejectedAsync(content, HttpStatusCode.UnsupportedMediaType, title: "Unsupported media type");
        Assert.Contains("multipart/form-data", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostJobReturns422ForUndecodableImage()
    {
        var body = await AssertRejectedAsync(Png("this is not an image at all"u8.ToArray()), HttpStatusCode.UnprocessableEntity, title: "Undecodable image");
        Assert.Contains("not a JPEG or PNG", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostJobReturns422ForEmptyImage() =>
        await AssertRejectedAsync(Png([]), HttpStatusCode.UnprocessableEntity, title: "Empty image");

    [Fact]
    public async Task PostJobReturns422WhenTheHeaderClaimsHugeDimensions()
    {
        var body = await AssertRejectedAsync(Png(TestImages.PngHeaderClaiming(65535, 65535)), HttpStatusCode.UnprocessableEntity, title: "Image too large");
        Assert.Contains("65535x65535", body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(16, 0)]
    public async Task PostJobReturns422WhenTheHeaderDeclaresAZeroSide(int width, int height)
    {
        var body = await AssertRejectedAsync(Png(TestImages.PngHeaderClaiming(width, height)), HttpStatusCode.UnprocessableEntity, title: "Undecodable image");
        Assert.Contains("malformed or truncated PNG header", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostJobReturns422ForAPngCutInsideItsHeader()
    {
        var body = await AssertRejectedAsync(Png(TestImages.Digit()[..20]), HttpStatusCode.UnprocessableEntity, title: "Undecodable image");
        Assert.Contains("malformed or truncated PNG header", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostJobJudgesTheContentNotTheContentType()
    {
        // A PNG labelled as JPEG is accepted (sniffed); JPEG-labelled garbage is not.
        var (response, _) = await PostAsync(Png(TestImages.Digit(), "image/jpeg"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await AssertRejectedAsync(Png([0xFF, 0xD8, 0xFF, 0x00, 0x01], "image/jpeg"), HttpStatusCode.UnprocessableEntity, title: "Undecodable image");
    }

    [Fact]
    public async Task PostJobReturns404ForUnknownModel() =>
        await AssertRejectedAsync(Png(TestImages.Digit()), HttpStatusCode.NotFound, model: "no-such-model", title: "Unknown model");

    [Fact]
    public async Task PostJobReturns400ForMalformedMultipart()
    {
        var content = new ByteArrayContent("--xyz\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.png\"\r\n\r\nnot terminated"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");
        await AssertRejectedAsync(content, HttpStatusCode.BadRequest, title: "Malformed multipart body");
    }

    [Fact]
    public async Task PostJobReturns400ForMultipartWithoutBoundary()
    {
        var content = new ByteArrayContent("whatever"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        await AssertRejectedAsync(content, HttpStatusCode.BadRequest, title: "Malformed multipart body");
    }

    [Fact]
    public async Task PostJobReturns401WithoutAValidKey()
    {
        var before = await fixture.QueueLengthAsync();
        var anonymous = fixture.Factory.CreateClient();
        var wrong = fixture.Factory.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");

        var (none, noneBody) = await PostAsync(Png(TestImages.Digit()), client: anonymous);
        var (bad, _) = await PostAsync(Png(TestImages.Digit()), client: wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(401, noneBody.GetProperty("status").GetInt32());
        Assert.Equal(before, await fixture.QueueLengthAsync());
    }

    [Fact]
    public async Task BearerKeyIsAcceptedAndHealthAndOpenApiStayOpen()
    {
        var client = fixture.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json", Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Timeout)).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFactory.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models", Timeout)).StatusCode);
    }

    [Fact]
    public async Task GetJobReturns404ForUnknownJob()
    {
        var client = fixture.Factory.CreateAuthorizedClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/jobs/0123456789abcdef0123456789abcdef", Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/jobs/not-an-id", Timeout)).StatusCode);
    }

    [Fact]
    public async Task GetJobRejectsAWaitOverTheLimit()
    {
        var (_, body) = await PostAsync(Png(TestImages.Digit()));
        var client = fixture.Factory.CreateAuthorizedClient();
        var response = await client.GetAsync($"/v1/jobs/{body.GetProperty("id").GetString()}?wait=3600", Timeout);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task LongPollReturnsAsSoonAsTheJobCompletes()
    {
        var (_, accepted) = await PostAsync(Png(TestImages.Digit()));
        var id = accepted.GetProperty("id").GetString()!;
        var client = fixture.Factory.CreateAuthorizedClient();

        var poll = client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}?wait=20", Timeout);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        await CompleteAsWorkerAsync(id);
        var job = await poll.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var top = job.GetProperty("predictions")[0];
        Assert.Equal("7", top.GetProperty("label").GetString());
        Assert.Equal(0.9, top.GetProperty("score").GetDouble());
        Assert.Equal("1", job.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task LongPollReadsTheJobOnlyForTerminalChangesAndReportsProcessingWhenItTimesOut()
    {
        var (_, accepted) = await PostAsync(Png(TestImages.Digit()));
        var id = accepted.GetProperty("id").GetString()!;
        var client = fixture.Factory.CreateAuthorizedClient();

        // A change to processing does not end a long poll, so it costs no read; a poll that ends while the job is
        // processing still reports that, not the queued state it started from.
        var poll = await StartCountedLongPollAsync(client, id, waitSeconds: 3);
        await fixture.Client.HashSetAsync(QueueKeys.Job(id), JobFields.Status, JobStatuses.Processing);
        await fixture.Client.ExecuteAsync("PUBLISH", QueueKeys.JobEvents, JobStatuses.EventMessage(id, JobStatuses.Processing));
        await Task.Delay(300);
        var readsWhileProcessing = await HashReadsAsync();
        var timedOut = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("processing", timedOut.GetProperty("status").GetString());
        Assert.Equal(1, readsWhileProcessing); // the first read only

        var second = await StartCountedLongPollAsync(client, id, waitSeconds: 20);
        await CompleteAsWorkerAsync(id);
        var done = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("7", done.GetProperty("predictions")[0].GetProperty("label").GetString());
        // The first read, and the completion script's own HGETALL (commandstats counts commands run by scripts):
        // the poll answered from the terminal event without reading the job again.
        Assert.Equal(2, await HashReadsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" [\"status\",\"succeeded\"")]
    [InlineData(" {\"status\":\"succeeded\"}")]
    [InlineData(" [\"status\",\"succeeded\",\"model\"]")]
    public async Task LongPollReadsTheJobWhenATerminalEventCarriesNoUsableSnapshot(string snapshot)
    {
        var (_, accepted) = await PostAsync(Png(TestImages.Digit()));
        var id = accepted.GetProperty("id").GetString()!;
        var client = fixture.Factory.CreateAuthorizedClient();
        var poll = await StartCountedLongPollAsync(client, id, waitSeconds: 20);

        // As an older worker announces the end (no snapshot), or a damaged message: the poll reads the job instead.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await fixture.Client.HashSetAsync(QueueKeys.Job(id), JobFields.Status, JobStatuses.Failed);
        await fixture.Client.HashSetAsync(QueueKeys.Job(id), JobFields.Error, "stopped by the test");
        await fixture.Client.ExecuteAsync("PUBLISH", QueueKeys.JobEvents, JobStatuses.EventMessage(id, JobStatuses.Failed) + snapshot);
        var job = await poll.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("stopped by the test", job.GetProperty("error").GetString());
        Assert.Equal(2, await HashReadsAsync());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), "the poll waited for its deadline instead of the event");
    }

    /// <summary>Resets Redis's command counts, starts a long poll of the job and returns it once it has made its first read.</summary>
    private async Task<Task<JsonElement>> StartCountedLongPollAsync(HttpClient client, string id, int waitSeconds)
    {
        await fixture.Client.ExecuteAsync("CONFIG", "RESETSTAT");
        var poll = client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}?wait={waitSeconds}", Timeout);
        await UntilHashReadsAsync(1);
        return poll;
    }

    private async Task UntilHashReadsAsync(long reads)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await HashReadsAsync() < reads)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the long poll never read the job");
            await Task.Delay(20);
        }
    }

    private async Task<long> HashReadsAsync()
    {
        var stats = (string?)await fixture.Client.ExecuteAsync("INFO", "commandstats") ?? "";
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_hgetall:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task EventStreamSendsStatusChangesUntilTheJobEnds()
    {
        var (_, accepted) = await PostAsync(Png(TestImages.Digit()));
        var id = accepted.GetProperty("id").GetString()!;
        var client = fixture.Factory.CreateAuthorizedClient();
        using var response = await client.GetAsync($"/v1/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead, Timeout);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var read = response.Content.ReadAsStringAsync(Timeout);
        await Task.Delay(300);
        await CompleteAsWorkerAsync(id);
        var text = await read.WaitAsync(TimeSpan.FromSeconds(10));

        var statuses = text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[6..]).RootElement.GetProperty("status").GetString()).ToList();
        Assert.Equal(["queued", "succeeded"], statuses);
    }

    [Fact]
    public async Task ClassifyReturns504WithTheJobIdWhenNoWorkerAnswersInTime()
    {
        var client = fixture.Factory.CreateAuthorizedClient();
        var response = await client.PostAsync("/v1/models/digits:classify", Png(TestImages.Digit()), Timeout);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Timeout)).RootElement;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var id = body.GetProperty("jobId").GetString()!;
        Assert.Equal($"/v1/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/jobs/{id}", Timeout)).StatusCode);
    }

    [Fact]
    public async Task ClassifyReturnsTheResultWhenTheJobCompletesInTime()
    {
        var client = fixture.Factory.CreateAuthorizedClient();
        var before = await fixture.QueueLengthAsync();
        var classify = client.PostAsync("/v1/models/digits:classify", Png(TestImages.Digit()), Timeout);
        // Play the worker: complete the job as soon as the gateway has queued it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await fixture.QueueLengthAsync() == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var entries = await fixture.Client.StreamRangeAsync(QueueKeys.Jobs);
        var id = (string)entries[^1]["id"]!;
        await fixture.Client.ExecuteAsync("CONFIG", "RESETSTAT");
        await CompleteAsWorkerAsync(id);
        var response = await classify;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Timeout)).RootElement;
        Assert.Equal(id, job.GetProperty("id").GetString());
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal("7", job.GetProperty("predictions")[0].GetProperty("label").GetString());
        Assert.Equal("1", job.GetProperty("modelVersion").GetString());
        Assert.Equal("digits", job.GetProperty("model").GetString());
        Assert.True(job.GetProperty("createdAt").GetDateTimeOffset() <= job.GetProperty("finishedAt").GetDateTimeOffset());
        // Only the completion script's own HGETALL: classify watched the job before storing it and answered from the
        // terminal event, so it read the job neither first nor after the event.
        Assert.Equal(1, await HashReadsAsync());
    }

    [Fact]
    public async Task ClassifyReplayedByIdempotencyKeyAnswersWithTheEarlierJob()
    {
        var client = fixture.Factory.CreateAuthorizedClient();
        client.DefaultRequestHeaders.Add("Idempotency-Key", "classify-" + Guid.NewGuid());
        var (_, accepted) = await PostAsync(Png(TestImages.Digit()), client: client);
        var id = accepted.GetProperty("id").GetString()!;
        await CompleteAsWorkerAsync(id);
        var before = await fixture.QueueLengthAsync();

        // The replay names the stored job, not the id the classify watched before storing: it must wait on that one.
        var response = await client.PostAsync("/v1/models/digits:classify", Png(TestImages.Digit()), Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Timeout)).RootElement;
        Assert.Equal(id, job.GetProperty("id").GetString());
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(before, await fixture.QueueLengthAsync());
    }

    private async Task CompleteAsWorkerAsync(string id)
    {
        var result = new JobResult("digits", "1", [new Prediction("7", 7, 0.9), new Prediction("1", 1, 0.1)], new JobTimings(0.5, 2, 1));
        var entry = (await fixture.Client.StreamRangeAsync(QueueKeys.Jobs)).Single(e => (string?)e["id"] == id);
        var written = await fixture.Client.ScriptEvaluateAsync(
            JobScripts.CompleteMany,
            [QueueKeys.Jobs, QueueKeys.Job(id), QueueKeys.Image(id)],
            [QueueKeys.WorkersGroup, QueueKeys.JobEvents, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, id, entry.Id,
                JsonSerializer.Serialize(result, QueueJsonContext.Default.JobResult)]);
        Assert.Equal(1, (long)written);
    }
}
