using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace MlAspire.AppHost.Tests;

/// <summary>Which Redis the topology holds (built, not started): the local redis-server in run mode, the AddRedis
/// container with <c>AppHost:RedisContainer=true</c> and always in publish mode; every service references the one
/// that is there.</summary>
public sealed class RedisModeTests
{
    [Theory]
    [InlineData(new string[0], "LocalRedisServerResource")]
    [InlineData(new[] { "--AppHost:RedisContainer=true" }, nameof(RedisResource))]
    [InlineData(new[] { "--publisher", "manifest", "--output-path", "unused.json" }, nameof(RedisResource))]
    public async Task TheTopologyHoldsOneRedisOfTheKindTheModeAsksFor(string[] args, string kind)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var state = Directory.CreateTempSubdirectory("mlaspire-redis-mode-").FullName;
        try
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([.. args, "--AppHost:StateDirectory=" + state], timeout.Token);
            var redis = Assert.Single(builder.Resources, r => r.Name == "redis");
            Assert.Equal(kind, redis.GetType().Name);
            Assert.IsAssignableFrom<IResourceWithConnectionString>(redis);

            foreach (var service in new[] { "preprocessing", "gateway" })
            {
                var project = builder.Resources.Single(r => r.Name == service);
                Assert.Contains(project.Annotations.OfType<WaitAnnotation>(), w => ReferenceEquals(w.Resource, redis));
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
