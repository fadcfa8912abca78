namespace MlAspire.Hosting.Tests;

public sealed class ParameterResourceTests
{
    [Fact]
    public void ValueComesFromParametersConfigurationSection()
    {
        var builder = TestApp.CreateBuilder("--Parameters:model=resnet");
        var model = builder.AddParameter("model");
        builder.Build();

        Assert.True(model.Resource.TryGetValue(builder.Configuration, out var value));
        Assert.Equal("resnet", value);
    }

    [Fact]
    public void ConfiguredValueWinsOverGeneratedDefault()
    {
        var builder = TestApp.CreateBuilder("--Parameters:pw=given");
        var pw = builder.AddParameter("pw", secret: true, new GenerateParameterDefault());
        builder.Build();

        Assert.True(pw.Resource.TryGetValue(builder.Configuration, out var value));
        Assert.Equal("given", value);
    }

    [Fact]
    public void GeneratedSecretFollowsTheRulesAndStaysTheSameWithinARun()
    {
        var builder = TestApp.CreateBuilder();
        var pw = builder.AddParameter("pw", secret: true, new GenerateParameterDefault { MinLength = 30, Special = false, MinNumeric = 5 });
        builder.Build();

        Assert.True(pw.Resource.TryGetValue(builder.Configuration, out var first));
        Assert.True(pw.Resource.TryGetValue(builder.Configuration, out var second));
        Assert.Equal(first, second);
        Assert.Equal(30, first.Length);
        Assert.All(first, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.True(first.Count(char.IsAsciiDigit) >= 5);
        Assert.DoesNotContain(first, pw.Resource.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionStringComesFromConnectionStringsSection()
    {
        var builder = TestApp.CreateBuilder("--ConnectionStrings:legacy=Server=db;User=x");
        var legacy = builder.AddConnectionString("legacy");
        var api = builder.AddExecutable("api", "sh", ".").WithReference(legacy);
        var app = builder.Build();
        var values = Orchestration.RunValues.Allocate(app.Resources, builder.Configuration);

        var env = Orchestration.RunPlanner.Plan(api.Resource, 0, values, app.Options).Environment;

        Assert.Equal("Server=db;User=x", env["ConnectionStrings__legacy"]);
    }

    [Fact]
    public void RedisWithoutPasswordGetsAGeneratedPasswordParameter()
    {
        var builder = TestApp.CreateBuilder();
        var redis = builder.AddRedis("cache");
        var app = builder.Build();

        var parameter = Assert.IsType<ParameterResource>(app.Resources.Single(r => r.Name == "cache-password"));
        Assert.Same(parameter, redis.Resource.PasswordParameter);
        Assert.True(parameter.Secret);
        Assert.Equal(new GenerateParameterDefault { Special = false }, parameter.GenerateDefault);
    }
}
