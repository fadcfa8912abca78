using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlAspire.Inference.Protocol;

namespace MlAspire.Inference.Client;

/// <summary>
/// <c>builder.AddInferenceClient("inference")</c>: the generated KServe v2 client
/// (<see cref="GRPCInferenceService.GRPCInferenceServiceClient"/>) from Grpc.Net.ClientFactory, for any service of an
/// Aspire app that calls Inference.Service.
/// </summary>
public static class InferenceClientExtensions
{
    /// <summary>
    /// Registers the client under <paramref name="name"/> (the inference service's resource name in the AppHost) and
    /// makes it injectable as <see cref="GRPCInferenceService.GRPCInferenceServiceClient"/>.
    /// <list type="bullet">
    /// <item>Address: <c>http://_grpc.&lt;name&gt;</c>, resolved per call by the service discovery that
    /// <c>AddServiceDefaults()</c> puts on every HttpClient (cleartext HTTP/2), or <see cref="InferenceClientSettings.Address"/>.</item>
    /// <item>Deadline: every unary call without its own gets <see cref="InferenceClientSettings.Deadline"/>.</item>
    /// <item>Resilience: gRPC's own retry policy for UNAVAILABLE (<see cref="InferenceClientSettings.MaxAttempts"/>),
    /// within the deadline; each attempt is resolved again, so it can reach another replica. The HTTP standard
    /// resilience handler that ServiceDefaults adds to every HttpClient is removed from this one: it cannot see gRPC
    /// status codes (they travel in trailers of a 200 response), so it would neither retry UNAVAILABLE nor leave
    /// INVALID_ARGUMENT alone, and its own timeouts would cut calls regardless of their deadline.</item>
    /// <item>Telemetry: Grpc.Net.Client's own <c>Grpc.Net.Client</c> activity per call, which ServiceDefaults'
    /// GrpcNetClient instrumentation records.</item>
    /// </list>
    /// </summary>
    /// <param name="builder">The service's host builder.</param>
    /// <param name="name">The service's name; also the settings key, <c>InferenceClients:&lt;name&gt;</c>.</param>
    /// <param name="configure">Changes the settings after they are read from configuration.</param>
    /// <returns>The client's builder, to add interceptors or handlers.</returns>
    public static IHttpClientBuilder AddInferenceClient(
        this IHostApplicationBuilder builder,
        string name = "inference",
        Action<InferenceClientSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var settings = builder.Services.AddOptions<InferenceClientSettings>(name)
            .BindConfiguration($"{InferenceClientSettings.SectionName}:{name}")
            .ValidateOnStart();
        if (configure is not null)
        {
            settings.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceClientSettings>, InferenceClientSettingsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);

        var client = builder.Services
            .AddGrpcClient<GRPCInferenceService.GRPCInferenceServiceClient>(name, (services, client) =>
                client.Address = Settings(services, name).Address ?? new Uri($"http://_grpc.{name}"))
            .ConfigureChannel((services, channel) =>
            {
                var current = Settings(services, name);
                channel.MaxSendMessageSize = current.MaxMessageBytes;
                channel.MaxReceiveMessageSize = current.MaxMessageBytes;
                if (current.MaxAttempts > 1)
                {
                    // A request is kept for its retries only while it fits the per-call and the channel-wide buffers
                    // (1 MiB and 16 MiB by default: no batch of ResNet-50 images would ever be retried). The buffer
                    // holds the serialized request that is sent anyway, only until the call commits.
                    channel.MaxRetryBufferPerCallSize = current.MaxMessageBytes;
                    channel.MaxRetryBufferSize = 2L * current.MaxMessageBytes;
                    channel.ServiceConfig = new ServiceConfig
                    {
                        MethodConfigs =
                        {
                            new MethodConfig
                            {
                                Names = { MethodName.Default },
                                RetryPolicy = new RetryPolicy
                                {
                                    MaxAttempts = current.MaxAttempts,
                                    InitialBackoff = current.RetryBaseDelay,
                                    MaxBackoff = TimeSpan.FromSeconds(1),
                                    BackoffMultiplier = 1.5,
                                    RetryableStatusCodes = { StatusCode.Unavailable },
                                },
                            },
                        },
                    };
                }
            })
            .AddInterceptor(services => new DefaultDeadlineInterceptor(Settings(services, name).Deadline, services.GetRequiredService<TimeProvider>()));
#pragma warning disable EXTEXP0001 // The documented way to take ConfigureHttpClientDefaults' handler off one client; marked experimental.
        return client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    private static InferenceClientSettings Settings(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<InferenceClientSettings>>().Get(name);
}
