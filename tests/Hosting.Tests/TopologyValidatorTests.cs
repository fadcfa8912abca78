namespace MlAspire.Hosting.Tests;

public sealed class TopologyValidatorTests
{
    [Fact]
    public void WaitForCycleIsReportedWithItsPath()
    {
        var builder = TestApp.CreateBuilder();
        var a = builder.AddExecutable("a", "sh", ".");
        var b = builder.AddExecutable("b", "sh", ".").WaitFor(a);
        var c = builder.AddExecutable("c", "sh", ".").WaitFor(b);
        a.WaitFor(c);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("Dependency cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains("a -> c -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceCycleIsReported()
    {
        var builder = TestApp.CreateBuilder();
        var a = builder.AddExecutable("a", "sh", ".").WithHttpEndpoint();
        var b = builder.AddExecutable("b", "sh", ".").WithHttpEndpoint().WithReference(a);
        a.WithReference(b);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("a -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateNameIsRejectedWhenAddedIgnoringCase()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("worker", "sh", ".");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.AddContainer("Worker", "busybox"));

        Assert.Contains("'Worker'", error.Message, StringComparison.Ordinal);
        Assert.Contains("already has that name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("a--b")]
    [InlineData("a_b")]
    [InlineData("trailing-")]
    public void InvalidNameIsRejected(string name)
    {
        var builder = TestApp.CreateBuilder();

        var error = Assert.Throws<DistributedApplicationException>(() => builder.AddExecutable(name, "sh", "."));

        Assert.Contains("is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingProjectFileIsReportedWithItsFullPath()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddProject("api", "../Nope/Nope.csproj");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        var expected = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "../Nope/Nope.csproj"));
        Assert.Contains($"ProjectResource 'api': project file '{expected}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void ReplicasBelowOneAreReported(int replicas)
    {
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("worker", "sh", ".").WithReplicas(replicas);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains($"'worker': replicas must be at least 1 (was {replicas})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitForAResourceOfAnotherApplicationIsReported()
    {
        var other = TestApp.CreateBuilder();
        var stranger = other.AddExecutable("stranger", "sh", ".");
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("worker", "sh", ".").WaitFor(stranger);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("'worker' waits for ExecutableResource 'stranger', which is not part of this application", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsListedInOneMessage()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddExecutable("a", "sh", ".").WithReplicas(0);
        builder.AddProject("b", "missing.csproj");
        builder.AddExecutable("c", "sh", ".").WithHttpEndpoint(port: 5000).WithReplicas(2);
        builder.AddExecutable("d", "sh", ".").WithHttpHealthCheck("/health", "nope");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.StartsWith("The application topology is invalid:", error.Message, StringComparison.Ordinal);
        Assert.Contains("'a': replicas must be at least 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'b': project file", error.Message, StringComparison.Ordinal);
        Assert.Contains("'c': endpoint 'http' has the fixed port 5000 but 2 replicas", error.Message, StringComparison.Ordinal);
        Assert.Contains("'d': the health check uses endpoint 'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceToAResourceWithoutEndpointsOrConnectionStringIsReported()
    {
        var builder = TestApp.CreateBuilder();
        var silent = builder.AddExecutable("silent", "sh", ".");
        builder.AddExecutable("client", "sh", ".").WithReference(silent);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("references ExecutableResource 'silent', which has neither a connection string nor endpoints", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterWithoutValueFailsInRunModeNamingTheKey()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddParameter("api-key", secret: true);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("Parameter 'api-key' has no value: set configuration key 'Parameters:api-key' (environment variable 'Parameters__api-key')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterWithoutValueIsFineWhenPublishing()
    {
        var builder = TestApp.CreateBuilder("--publisher", "manifest");
        builder.AddParameter("api-key", secret: true);

        var app = builder.Build();

        Assert.True(app.ExecutionContext.IsPublishMode);
    }

    [Fact]
    public void UnknownPublisherIsReported()
    {
        var builder = TestApp.CreateBuilder("--publisher", "helm");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("Unknown publisher 'helm'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidTopologyBuilds()
    {
        var builder = TestApp.CreateBuilder();
        var redis = builder.AddRedis("cache");
        var api = builder.AddExecutable("api", "sh", ".").WithHttpEndpoint().WithHttpHealthCheck().WithReference(redis).WaitFor(redis);
        builder.AddExecutable("worker", "sh", ".").WithReplicas(3).WithReference(api).WaitFor(api);

        var app = builder.Build();

        Assert.Equal(["cache", "api", "worker", "cache-password"], app.Resources.Select(r => r.Name));
    }
}
