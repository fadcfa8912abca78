namespace MlAspire.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Fact]
    public void StackExchangeStyleStringParses()
    {
        var options = RedisOptions.Parse(
            "cache1:6380, [::1]:7000 ,10.0.0.5,password=p@ss=word,user=alice,ssl=false,defaultDatabase=3,connectTimeout=1500,syncTimeout=250,abortConnect=false,allowAdmin=true,name=gw,protocol=resp2,backlogPolicy=failFast");
        Assert.Equal([new RedisEndpoint("cache1", 6380), new RedisEndpoint("::1", 7000), new RedisEndpoint("10.0.0.5", 6379)], options.Endpoints);
        Assert.Equal("p@ss=word", options.Password);
        Assert.Equal("alice", options.User);
        Assert.False(options.Ssl);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CommandTimeout);
        Assert.False(options.AbortOnConnectFail);
        Assert.Equal("gw", options.ClientName);
        Assert.Equal(RedisProtocol.Resp2, options.Protocol);
        Assert.Equal(BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Fact]
    public void SslWithoutPortDefaultsTo6380()
    {
        var options = RedisOptions.Parse("redis.example,ssl=true,sslHost=cache.example");
        Assert.True(options.Ssl);
        Assert.Equal("cache.example", options.SslHost);
        Assert.Equal(new RedisEndpoint("redis.example", 6380), options.Endpoints[0]);
    }

    [Fact]
    public void UriFormParses()
    {
        var options = RedisOptions.Parse("rediss://bob:s%3Acret@cache.example:6390/2?protocol=resp2&syncTimeout=100");
        Assert.True(options.Ssl);
        Assert.Equal("bob", options.User);
        Assert.Equal("s:cret", options.Password);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.Equal(RedisProtocol.Resp2, options.Protocol);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.CommandTimeout);
        Assert.Equal(new RedisEndpoint("cache.example", 6390), options.Endpoints[0]);
    }

    [Fact]
    public void UriWithPasswordOnlyAndDefaultPortParses()
    {
        var options = RedisOptions.Parse("redis://:secret@localhost");
        Assert.Null(options.User);
        Assert.Equal("secret", options.Password);
        Assert.False(options.Ssl);
        Assert.Equal(new RedisEndpoint("localhost", 6379), options.Endpoints[0]);
        Assert.Equal(new RedisEndpoint("::1", 6379), RedisOptions.Parse("redis://[::1]").Endpoints[0]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("password=x", "no endpoint")]
    [InlineData("localhost:abc", "port in endpoint 'localhost:abc'")]
    [InlineData("localhost:70000", "between 1 and 65535")]
    [InlineData("localhost,ssl=maybe", "'ssl=maybe' is not true or false")]
    [InlineData("localhost,defaultDatabase=-1", "'defaultDatabase=-1'")]
    [InlineData("localhost,connectTimeout=soon", "'connectTimeout=soon'")]
    [InlineData("localhost,bogus=1", "unknown option 'bogus'")]
    [InlineData("localhost,protocol=resp4", "'protocol=resp4' is not supported")]
    [InlineData("localhost,serviceName=mymaster", "Sentinel")]
    [InlineData("[::1:6379", "unclosed '['")]
    [InlineData("redis://host/abc", "not a database number")]
    [InlineData("localhost,=1", "empty name")]
    public void BadStringsFailWithAMessageThatSaysWhatIsWrong(string connectionString, string messagePart)
    {
        var ex = Assert.Throws<FormatException>(() => RedisOptions.Parse(connectionString));
        Assert.StartsWith("Invalid Redis connection string", ex.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsAndToStringNeverShowThePassword()
    {
        Assert.False(RedisOptions.TryParse("localhost:x,password=hunter2", out _, out var error));
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", RedisOptions.Parse("localhost,password=hunter2").ToString(), StringComparison.Ordinal);
    }
}
