using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.AppHost;

/// <summary>Redis persistence and the local <c>redis-server</c> that stands in for the Redis container in run mode.</summary>
internal static class LocalRedisServerExtensions
{
    /// <summary>Setting that keeps the <c>AddRedis</c> container in run mode (needs a container runtime and the image).</summary>
    public const string RedisContainerSetting = "AppHost:RedisContainer";

    /// <summary>Setting for the folder that holds local state (default <c>AppHost/obj/mlaspire</c>).</summary>
    public const string StateDirectorySetting = "AppHost:StateDirectory";

    /// <summary>Keeps Redis data in an append-only file, fsynced on every write by default (a queued job is not lost
    /// when Redis is killed). The container gets <c>--appendonly yes --appendfsync ...</c>; the local server the same in
    /// its config file.</summary>
    public static IResourceBuilder<RedisResource> WithAppendOnlyPersistence(this IResourceBuilder<RedisResource> builder, string fsyncPolicy = "always")
    {
        if (fsyncPolicy is not ("always" or "everysec" or "no"))
        {
            throw new ArgumentException($"appendfsync must be always, everysec or no, not '{fsyncPolicy}'.", nameof(fsyncPolicy));
        }

        return builder.WithAnnotation(new AppendOnlyPersistenceAnnotation(fsyncPolicy), ResourceAnnotationMutationBehavior.Replace)
            .WithArgs(context =>
            {
                // AddRedis runs the container as `/bin/sh -c "redis-server --requirepass $REDIS_PASSWORD ..."`: the options
                // belong inside that one command string, after the ones AddRedis put there.
                var options = $" --appendonly yes --appendfsync {fsyncPolicy}";
                var command = context.Args.IndexOf("-c") + 1;
                if (command > 0 && command < context.Args.Count && context.Args[command] is string redisServer)
                {
                    context.Args[command] = redisServer + options;
                }
                else
                {
                    foreach (var option in options.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        context.Args.Add(option);
                    }
                }
            });
    }

    /// <summary>
    /// In run mode, replaces the Redis container with a local <c>redis-server</c> process of the same name, password
    /// and persistence, so that <c>dotnet run --project AppHost</c> needs no container runtime. It listens on loopback
    /// on its own port only, reads its password from a config file only its owner can read (the dashboard's command
    /// line shows the file's path, not the password), and keeps its append-only file in
    /// <c>{AppHost:StateDirectory}/{name}</c>. With <c>AppHost:RedisContainer=true</c>, and always in publish mode, the
    /// <c>AddRedis</c> container stays as it is (the manifest is Aspire's own).
    /// </summary>
    /// <remarks>Call it before anything references the Redis resource: the container leaves the model.</remarks>
    public static IResourceBuilder<IResourceWithConnectionString> RunAsLocalRedisServer(this IResourceBuilder<RedisResource> builder)
    {
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode || app.Configuration.GetValue<bool>(RedisContainerSetting))
        {
            return builder;
        }

        var container = builder.Resource;
        var password = container.PasswordParameter
            ?? throw new DistributedApplicationException($"Redis resource '{container.Name}' has no password parameter; the local server always requires one.");
        var configured = app.Configuration[StateDirectorySetting];
        var stateRoot = string.IsNullOrWhiteSpace(configured) ? Path.Combine(app.AppHostDirectory, "obj", "mlaspire") : Path.GetFullPath(configured, app.AppHostDirectory);
        var fsync = container.Annotations.OfType<AppendOnlyPersistenceAnnotation>().LastOrDefault()?.FsyncPolicy;

        app.Resources.Remove(container);
        var server = new LocalRedisServerResource(container.Name, password, Path.Combine(stateRoot, container.Name));

        string? connectionString = null;
        var healthCheckKey = $"{server.Name}_local_check";
        app.Services.AddHealthChecks().AddRedis(_ => connectionString ?? throw new InvalidOperationException("The local Redis server has not started yet."), name: healthCheckKey);

        var local = app.AddResource(server)
            .WithEndpoint(name: LocalRedisServerResource.PrimaryEndpointName, scheme: "redis")
            .WithArgs(context =>
            {
                context.Args.Add(server.ConfigFile);
                context.Args.Add("--port");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database");

        app.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (_, cancellationToken) =>
        {
            var secret = await password.GetValueAsync(cancellationToken).ConfigureAwait(false) ?? "";
            await WriteConfigAsync(server, secret, fsync, cancellationToken).ConfigureAwait(false);
            connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        });

        return local;
    }

    private static async Task WriteConfigAsync(LocalRedisServerResource server, string password, string? fsync, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new DistributedApplicationException($"A local redis-server needs Linux or macOS; set {RedisContainerSetting}=true to run Redis as a container.");
        }

        if (password.Length == 0 || password.Any(char.IsControl))
        {
            throw new DistributedApplicationException($"The password parameter '{server.PasswordParameter.Name}' must be non-empty and hold no control characters.");
        }

        Directory.CreateDirectory(server.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = new StringBuilder()
            .AppendLine("# Written by the AppHost at each start of this resource; readable only by its owner.")
            .AppendLine("bind 127.0.0.1")
            .AppendLine("protected-mode yes")
            .AppendLine("daemonize no")
            .AppendLine(CultureInfo.InvariantCulture, $"dir {Quote(server.StateDirectory)}")
            .AppendLine(CultureInfo.InvariantCulture, $"requirepass {Quote(password)}")
            .AppendLine("save \"\"")
            .AppendLine(fsync is null ? "appendonly no" : "appendonly yes")
            .AppendLine(fsync is null ? "" : $"appendfsync {fsync}")
            .ToString();

        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        var stream = new FileStream(server.ConfigFile, options);
        await using (stream.ConfigureAwait(false))
        {
            // An existing file keeps its mode on open: make sure it is the owner's alone before the password goes in.
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(config), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A redis.conf double-quoted string (backslash and quote escaped).</summary>
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
