using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MlAspire.Gateway.Api.Tests;

/// <summary>Bad input only a real server sees: huge headers, bodies that trickle, end early or are mis-framed.</summary>
public sealed class KestrelLimitsTests
{
    private static CancellationTokenSource Timeout() => new(TimeSpan.FromSeconds(60));

    private static JsonElement Problem(RawHttpResponse response)
    {
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        var body = JsonDocument.Parse(response.Body).RootElement.Clone();
        Assert.Equal(response.Status, body.GetProperty("status").GetInt32());
        return body;
    }

    [Theory]
    [InlineData(1, 40_000)]
    [InlineData(150, 10)]
    public async Task RequestWithHeadersOverKestrelsLimitsGets431(int count, int length)
    {
        using var cts = Timeout();
        await using var gateway = await KestrelGateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs?model=digits") { Content = new ByteArrayContent(TestImages.Digit()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        request.Headers.Add("X-Api-Key", GatewayFactory.ApiKey);
        for (var i = 0; i < count; i++)
        {
            request.Headers.Add($"X-Padding-{i}", new string('a', length));
        }

        var before = await gateway.QueueLengthAsync();
        using var response = await client.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(cts.Token)); // Kestrel answers before the app runs
        Assert.Equal(before, await gateway.QueueLengthAsync());
    }

    [Fact]
    public async Task BodyTricklingUnderKestrelsMinimumDataRateGets408ProblemDetails()
    {
        // Kestrel's default minimum request body data rate: 240 bytes/s after a 5 s grace period. Two bytes a second fail it.
        using var cts = Timeout();
        await using var gateway = await KestrelGateway.StartAsync();
        var before = await gateway.QueueLengthAsync();

        var response = await RawHttp.SendAsync(gateway.Address, KestrelGateway.SubmissionHead("Content-Length: 2000"),
            RawHttp.Trickle(TimeSpan.FromMilliseconds(500), 2000), cts.Token);

        Assert.Equal(408, response.Status);
        var problem = Problem(response);
        Assert.Equal("Request body too slow", problem.GetProperty("title").GetString());
        Assert.Contains("minimum data rate", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await gateway.QueueLengthAsync());
    }

    [Fact]
    public async Task BodyTakingLongerThanTheRequestBodyTimeoutGets408ProblemDetails()
    {
        // Ten bytes a second is within Kestrel's grace period, so only Gateway:RequestBodyTimeout stops this body.
        using var cts = Timeout();
        await using var gateway = await KestrelGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:RequestBodyTimeout"] = "00:00:01" });
        var before = await gateway.QueueLengthAsync();

        var response = await RawHttp.SendAsync(gateway.Address, KestrelGateway.SubmissionHead("Content-Length: 2000"),
            RawHttp.Trickle(TimeSpan.FromMilliseconds(100), 2000), cts.Token);

        Assert.Equal(408, response.Status);
        var problem = Problem(response);
        Assert.Equal("Request body too slow", problem.GetProperty("title").GetString());
        Assert.Contains("within 1 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await gateway.QueueLengthAsync());
    }

    [Fact]
    public async Task ChunkedBodyThatGrowsOverTheLimitGets413()
    {
        // No Content-Length to judge up front: the gateway counts the bytes as they arrive.
        using var cts = Timeout();
        await using var gateway = await KestrelGateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs?model=digits") { Content = new ByteArrayContent(new byte[70_000]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        request.Headers.Add("X-Api-Key", GatewayFactory.ApiKey);
        request.Headers.TransferEncodingChunked = true;
        var before = await gateway.QueueLengthAsync();

        using var response = await client.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token)).RootElement;
        Assert.Equal("Request body too large", problem.GetProperty("title").GetString());
        Assert.Equal(before, await gateway.QueueLengthAsync());
    }

    [Fact]
    public async Task ClientThatHangsUpBeforeItsContentLengthQueuesNothingAndTheGatewayKeepsServing()
    {
        // Kestrel takes the client's FIN as the end of the connection: there is nobody left to answer.
        using var cts = Timeout();
        await using var gateway = await KestrelGateway.StartAsync();
        var before = await gateway.QueueLengthAsync();

        var response = await RawHttp.SendAsync(gateway.Address, KestrelGateway.SubmissionHead("Content-Length: 2000"), async (socket, _, token) =>
        {
            await socket.SendAsync(TestImages.Digit().AsMemory(0, 100), token);
            socket.Shutdown(SocketShutdown.Send);
        }, cts.Token);

        Assert.Equal(RawHttpResponse.NoResponse.Status, response.Status);
        Assert.Equal(before, await gateway.QueueLengthAsync());
        var image = TestImages.Digit();
        var next = await RawHttp.SendAsync(gateway.Address, KestrelGateway.SubmissionHead($"Content-Length: {image.Length}"),
            async (socket, _, token) => await socket.SendAsync(image, token), cts.Token);
        Assert.Equal(202, next.Status);
    }

    [Fact]
    public async Task MalformedChunkedEncodingGets400ProblemDetails()
    {
        using var cts = Timeout();
        await using var gateway = await KestrelGateway.StartAsync();
        var before = await gateway.QueueLengthAsync();

        var response = await RawHttp.SendAsync(gateway.Address, KestrelGateway.SubmissionHead("Transfer-Encoding: chunked"), async (socket, _, token) =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("zz\r\nnot a chunk\r\n0\r\n\r\n"), token);
        }, cts.Token);

        Assert.Equal(400, response.Status);
        Assert.Equal("Malformed request body", Problem(response).GetProperty("title").GetString());
        Assert.Equal(before, await gateway.QueueLengthAsync());
    }
}
