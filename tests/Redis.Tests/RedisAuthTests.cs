namespace MlAspire.Redis.Tests;

public sealed class RedisAuthTests : IAsyncLifetime
{
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync("--requirepass", "s3cret");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("resp2")]
    [InlineData("resp3")]
    public async Task PasswordAuthenticates(string protocol)
    {
        await using var client = await RedisClient.ConnectAsync($"{_server.Endpoint},password=s3cret,protocol={protocol}", TestTimeout.Token());
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Theory]
    [InlineData("resp2")]
    [InlineData("resp3")]
    public async Task AclUserAuthenticatesAndIsLimitedToItsRights(string protocol)
    {
        var ct = TestTimeout.Token();
        await using (var admin = await RedisClient.ConnectAsync($"{_server.Endpoint},password=s3cret", ct))
        {
            await admin.ExecuteAsync("ACL", "SETUSER", "worker", "on", ">w0rker", "~jobs:*", "+@all");
        }

        await using var client = await RedisClient.ConnectAsync($"redis://worker:w0rker@{_server.Endpoint}?protocol={protocol}", ct);
        Assert.Equal("worker", (await client.ExecuteAsync("ACL", "WHOAMI")).AsString());
        await client.StringSetAsync("jobs:1", "ok", cancellationToken: ct);
        var denied = await Assert.ThrowsAsync<RedisServerException>(() => client.StringSetAsync("other:1", "no", cancellationToken: ct));
        Assert.Equal("NOPERM", denied.Prefix);
    }

    [Theory]
    [InlineData("resp2")]
    [InlineData("resp3")]
    public async Task WrongPasswordFailsAtConnectWithAClearMessage(string protocol)
    {
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisClient.ConnectAsync($"{_server.Endpoint},password=wrong,protocol={protocol}", TestTimeout.Token()));
        Assert.Contains("WRONGPASS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPasswordIsRejectedByTheServer()
    {
        await using var client = await RedisClient.ConnectAsync($"{_server.Endpoint},protocol=resp2", TestTimeout.Token());
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync("GET", "x"));
        Assert.Equal("NOAUTH", ex.Prefix);
    }
}
