using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MlAspire.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisHostingExtensionsTests(RedisServerFixture fixture)
{
    [Fact]
    public async Task AddRedisClientRegistersAWorkingSingletonAndAHealthyCheck()
    {
        var ct = TestTimeout.Token();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = fixture.Server.Endpoint });
        builder.AddRedisClient("cache");
        using var host = builder.Build();
        await host.StartAsync(ct);
        var client = host.Services.GetRequiredService<RedisClient>();
        Assert.Same(client, host.Services.GetRequiredService<RedisClient>());
        await client.StringSetAsync("hosted", "yes", cancellationToken: ct);
        Assert.Equal("yes", (await client.StringGetAsync("hosted", ct)).ToString());

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Healthy, report.Entries["redis-cache"].Status);
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task KeyedClientsTalkToTheirOwnServers()
    {
        var ct = TestTimeout.Token();
        await using var other = await RedisServer.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:queue"] = fixture.Server.Endpoint,
            ["ConnectionStrings:cache"] = other.Endpoint + ",defaultDatabase=1",
        });
        builder.AddKeyedRedisClient("queue");
        builder.AddKeyedRedisClient("cache");
        using var host = builder.Build();
        await host.StartAsync(ct);
        var queue = host.Services.GetRequiredKeyedService<RedisClient>("queue");
        var cache = host.Services.GetRequiredKeyedService<RedisClient>("cache");
        Assert.NotSame(queue, cache);
        var key = $"keyed:{Guid.NewGuid():N}";
        await cache.StringSetAsync(key, "in-cache", cancellationToken: ct);
        Assert.False(await queue.KeyExistsAsync(key, ct));
        Assert.Equal(1, cache.Options.DefaultDatabase);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Healthy, report.Entries["redis-queue"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["redis-cache"].Status);
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task HealthCheckIsUnhealthyWhenTheServerIsDown()
    {
        var ct = TestTimeout.Token();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = "127.0.0.1:1,connectTimeout=200" });
        builder.AddRedisClient("cache", s => s.HealthCheckTimeout = TimeSpan.FromMilliseconds(300));
        using var host = builder.Build();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["redis-cache"].Status);
    }

    [Theory]
    [InlineData(null, "ConnectionStrings:cache")]
    [InlineData("localhost:notaport", "ConnectionStrings:cache: Invalid Redis connection string: the port in endpoint 'localhost:notaport'")]
    public async Task BadOrMissingConnectionStringFailsAtStartNamingTheKey(string? connectionString, string messagePart)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = connectionString });
        builder.AddRedisClient("cache");
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestTimeout.Token()));
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandsEmitMetricsAndActivities()
    {
        var ct = TestTimeout.Token();
        var commands = 0L;
        var errors = 0L;
        var durations = 0;
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RedisTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "redis.client.commands")
            {
                Interlocked.Add(ref commands, value);
            }
            else if (instrument.Name == "redis.client.errors")
            {
                Interlocked.Add(ref errors, value);
            }
        });
        meterListener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "redis.client.command.duration")
            {
                Interlocked.Increment(ref durations);
            }
        });
        meterListener.Start();
        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RedisTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(activityListener);

        await using var client = await fixture.ConnectAsync();
        await client.StringSetAsync("telemetry", "x", cancellationToken: ct);
        await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync("NOPE"));

        Assert.True(Interlocked.Read(ref commands) >= 2);
        Assert.True(Interlocked.Read(ref errors) >= 1);
        Assert.True(Volatile.Read(ref durations) >= 2);
        lock (activities)
        {
            Assert.Contains(activities, a => a.OperationName == "SET" && a.Status == ActivityStatusCode.Ok && (string?)a.GetTagItem("db.system.name") == "redis");
            Assert.Contains(activities, a => a.OperationName == "NOPE" && a.Status == ActivityStatusCode.Error);
        }
    }
}
