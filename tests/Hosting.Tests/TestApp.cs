using Microsoft.Extensions.Logging.Abstractions;

namespace MlAspire.Hosting.Tests;

/// <summary>Builders for test applications: quiet output, short timeouts, a private state folder.</summary>
internal static class TestApp
{
    public static IDistributedApplicationBuilder CreateBuilder(params string[] args) => CreateBuilder(new StringWriter(), args);

    public static IDistributedApplicationBuilder CreateBuilder(TextWriter output, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("mlaspire-hosting-tests-").FullName;
        return DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = args,
            ProjectDirectory = directory,
            StateDirectory = Path.Combine(directory, "state"),
            StartupTimeout = TimeSpan.FromSeconds(20),
            StopTimeout = TimeSpan.FromSeconds(3),
            RestartDelay = TimeSpan.FromMilliseconds(200),
            MaxRestartDelay = TimeSpan.FromSeconds(2),
            HealthCheckInterval = TimeSpan.FromMilliseconds(200),
            Output = output,
            LoggerFactory = NullLoggerFactory.Instance,
        });
    }

    public static CancellationTokenSource Timeout(int seconds = 60) => new(TimeSpan.FromSeconds(seconds));
}
