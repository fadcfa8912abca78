using MlAspire.Hosting.Orchestration;

namespace MlAspire.Hosting.Tests;

public sealed class RunPlannerTests
{
    private static (DistributedApplication App, RunValues Values) Build(IDistributedApplicationBuilder builder)
    {
        var app = builder.Build();
        return (app, RunValues.Allocate(app.Resources, builder.Configuration));
    }

    [Fact]
    public void WithReferenceInjectsOneServiceVariablePerEndpointAndReplicaIntoEveryReplica()
    {
        var builder = TestApp.CreateBuilder();
        var inference = builder.AddExecutable("inference", "sh", ".")
            .WithHttpEndpoint().WithEndpoint("grpc", scheme: "http", transport: "http2").WithReplicas(3);
        var worker = builder.AddExecutable("worker", "sh", ".").WithReplicas(2).WithReference(inference);
        var (app, values) = Build(builder);

        string[] expectedKeys =
        [
            "services__inference__http__0", "services__inference__http__1", "services__inference__http__2",
            "services__inference__grpc__0", "services__inference__grpc__1", "services__inference__grpc__2",
        ];
        for (var replica = 0; replica < 2; replica++)
        {
            var env = RunPlanner.Plan(worker.Resource, replica, values, app.Options).Environment;
            Assert.Equal(expectedKeys, env.Keys.Where(k => k.StartsWith("services__", StringComparison.Ordinal)));
            Assert.DoesNotContain(env.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal($"http://127.0.0.1:{values.GetPort(inference.Resource, "http", i)}", env[$"services__inference__http__{i}"]);
                Assert.Equal($"http://127.0.0.1:{values.GetPort(inference.Resource, "grpc", i)}", env[$"services__inference__grpc__{i}"]);
            }

            Assert.Equal("worker", env["OTEL_SERVICE_NAME"]);
            Assert.Equal($"service.instance.id=worker-{replica}", env["OTEL_RESOURCE_ATTRIBUTES"]);
        }
    }

    [Fact]
    public void WithReferenceToRedisInjectsOnlyItsConnectionString()
    {
        var builder = TestApp.CreateBuilder("--Parameters:cache-secret=s3cret");
        var password = builder.AddParameter("cache-secret", secret: true);
        var redis = builder.AddRedis("cache").WithPassword(password);
        var api = builder.AddExecutable("api", "sh", ".").WithReference(redis);
        var (app, values) = Build(builder);

        var env = RunPlanner.Plan(api.Resource, 0, values, app.Options).Environment;

        Assert.Equal($"127.0.0.1:{values.GetPort(redis.Resource, "tcp", 0)},password=s3cret", env["ConnectionStrings__cache"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("services__", StringComparison.Ordinal));
    }

    [Fact]
    public void ProjectReplicasGetTheirOwnUrlsAndDevelopmentEnvironment()
    {
        var builder = TestApp.CreateBuilder();
        File.WriteAllText(Path.Combine(builder.AppHostDirectory, "Api.csproj"), "<Project />");
        var api = builder.AddProject("api", "Api.csproj").WithHttpEndpoint().WithReplicas(2);
        var (app, values) = Build(builder);

        var first = RunPlanner.Plan(api.Resource, 0, values, app.Options).Environment;
        var second = RunPlanner.Plan(api.Resource, 1, values, app.Options).Environment;

        Assert.Equal($"http://127.0.0.1:{values.GetPort(api.Resource, "http", 0)}", first["ASPNETCORE_URLS"]);
        Assert.Equal($"http://127.0.0.1:{values.GetPort(api.Resource, "http", 1)}", second["ASPNETCORE_URLS"]);
        Assert.NotEqual(first["ASPNETCORE_URLS"], second["ASPNETCORE_URLS"]);
        Assert.Equal("Development", first["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Development", first["DOTNET_ENVIRONMENT"]);
        Assert.Equal("in_memory", first["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"]);
        Assert.False(first.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public void Http2EndpointMakesEveryEndpointAKestrelEndpoint()
    {
        var builder = TestApp.CreateBuilder();
        File.WriteAllText(Path.Combine(builder.AppHostDirectory, "Inference.csproj"), "<Project />");
        var inference = builder.AddProject("inference", "Inference.csproj")
            .WithHttpEndpoint().WithEndpoint("grpc", scheme: "http", transport: "http2");
        var (app, values) = Build(builder);

        var env = RunPlanner.Plan(inference.Resource, 0, values, app.Options).Environment;

        Assert.False(env.ContainsKey("ASPNETCORE_URLS"));
        Assert.Equal($"http://127.0.0.1:{values.GetPort(inference.Resource, "http", 0)}", env["Kestrel__Endpoints__http__Url"]);
        Assert.False(env.ContainsKey("Kestrel__Endpoints__http__Protocols"));
        Assert.Equal($"http://127.0.0.1:{values.GetPort(inference.Resource, "grpc", 0)}", env["Kestrel__Endpoints__grpc__Url"]);
        Assert.Equal("Http2", env["Kestrel__Endpoints__grpc__Protocols"]);
    }

    [Fact]
    public void OtlpEndpointOptionInjectsExporterVariables()
    {
        var builder = TestApp.CreateBuilder("--AppHost:OtlpEndpointUrl=http://127.0.0.1:4317", "--AppHost:OtlpProtocol=grpc");
        var api = builder.AddExecutable("api", "sh", ".");
        var (app, values) = Build(builder);

        var env = RunPlanner.Plan(api.Resource, 0, values, app.Options).Environment;

        Assert.Equal("http://127.0.0.1:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", env["OTEL_EXPORTER_OTLP_PROTOCOL"]);
    }

    [Fact]
    public void WithEnvironmentResolvesParametersAndEndpointExpressions()
    {
        var builder = TestApp.CreateBuilder("--Parameters:region=eu-west");
        var region = builder.AddParameter("region");
        var api = builder.AddExecutable("api", "sh", ".").WithHttpEndpoint();
        var client = builder.AddExecutable("client", "sh", ".")
            .WithEnvironment("REGION", region)
            .WithEnvironment("API", ReferenceExpression.Create($"{api.GetEndpoint("http").Host}:{api.GetEndpoint("http").Port}/v1"))
            .WithEnvironment("PLAIN", "x")
            .WithArgs(ReferenceExpression.Create($"--api={api.GetEndpoint("http")}"));
        var (app, values) = Build(builder);

        var plan = RunPlanner.Plan(client.Resource, 0, values, app.Options);

        var port = values.GetPort(api.Resource, "http", 0);
        Assert.Equal("eu-west", plan.Environment["REGION"]);
        Assert.Equal($"127.0.0.1:{port}/v1", plan.Environment["API"]);
        Assert.Equal("x", plan.Environment["PLAIN"]);
        Assert.Equal([$"--api=http://127.0.0.1:{port}"], plan.Args);
    }

    [Fact]
    public void PortsOfEveryReplicaAndEndpointAreDistinct()
    {
        var builder = TestApp.CreateBuilder();
        var a = builder.AddExecutable("a", "sh", ".").WithHttpEndpoint().WithEndpoint("admin").WithReplicas(4);
        var b = builder.AddExecutable("b", "sh", ".").WithHttpEndpoint().WithReplicas(3);
        var (_, values) = Build(builder);

        var ports = Enumerable.Range(0, 4).SelectMany(i => new[] { values.GetPort(a.Resource, "http", i), values.GetPort(a.Resource, "admin", i) })
            .Concat(Enumerable.Range(0, 3).Select(i => values.GetPort(b.Resource, "http", i)))
            .ToList();

        Assert.Equal(11, ports.Count);
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1024, 65535));
    }
}
