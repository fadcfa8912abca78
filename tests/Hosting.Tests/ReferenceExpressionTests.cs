namespace MlAspire.Hosting.Tests;

public sealed class ReferenceExpressionTests
{
    [Fact]
    public void ManifestFormNamesResourceAndField()
    {
        var builder = TestApp.CreateBuilder();
        var pw = builder.AddParameter("pw", secret: true);
        var api = builder.AddExecutable("api", "sh", ".").WithEndpoint("grpc", transport: "http2");
        var redis = builder.AddRedis("cache").WithPassword(pw);

        var expression = ReferenceExpression.Create($"a={api.GetEndpoint("grpc")};t={api.GetEndpoint("grpc").TargetPort};p={pw};c={redis}");

        Assert.Equal("a={api.bindings.grpc.url};t={api.bindings.grpc.targetPort};p={pw.value};c={cache.connectionString}", expression.ManifestExpression);
        Assert.Equal(["api", "api", "pw", "cache"], expression.ValueReferences.Select(v => v.Resource.Name));
        Assert.False(expression.IsLiteral);
        Assert.True(ReferenceExpression.Literal("x").IsLiteral);
    }

    [Fact]
    public void RedisConnectionStringMatchesAspire()
    {
        var builder = TestApp.CreateBuilder();
        var pw = builder.AddParameter("redis-password", secret: true);
        var redis = builder.AddRedis("redis").WithPassword(pw);

        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port},password={redis-password.value}", redis.Resource.ConnectionStringExpression.ManifestExpression);
    }

    [Fact]
    public void ResourceWithoutValueCannotBeInterpolated()
    {
        var builder = TestApp.CreateBuilder();
        var api = builder.AddExecutable("api", "sh", ".");

        var error = Assert.Throws<DistributedApplicationException>(() => ReferenceExpression.Create($"{api}"));

        Assert.Contains("'api' has no value", error.Message, StringComparison.Ordinal);
    }
}
