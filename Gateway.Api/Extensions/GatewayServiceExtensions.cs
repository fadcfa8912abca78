using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Services;
using MlAspire.Inference.Client;
using MlAspire.ServiceDefaults.Telemetry;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Extensions;

internal static class GatewayServiceExtensions
{
    public const string RateLimitPolicy = "per-api-key";

    /// <summary>Options, Redis ("redis"), the inference client ("inference"), job services, API keys, rate limits, ProblemDetails, OpenAPI.</summary>
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, ApiKeysValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, QueueLimitsValidator>());

        // Fail fast while Redis is down: the gateway answers 503 at once instead of holding requests in the library's
        // backlog until they time out. Aspire's defaults keep the multiplexer reconnecting (abortConnect=false).
        // Redis command spans only when traces are exported (see the worker's AddWorkerServices).
        var exported = TelemetryOptions.IsExportConfigured(builder.Configuration);
        builder.AddRedisClient("redis", settings => settings.DisableTracing |= !exported, o => o.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddInferenceClient("inference");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ImageIntake>();
        builder.Services.AddSingleton<ModelDirectory>();
        builder.Services.AddHostedService<ModelDirectoryRefresher>();
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobSubmitter>();
        builder.Services.AddSingleton<JobTracker>();
        builder.Services.AddSingleton<JobEventHub>();
        builder.Services.AddHostedService(services => services.GetRequiredService<JobEventHub>());

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DependencyExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;
                var key = ApiKeyMiddleware.KeyName(context);
                if (key == ApiKeyMiddleware.Anonymous)
                {
                    key += "@" + context.Connection.RemoteIpAddress;
                }

                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = string.Create(CultureInfo.InvariantCulture, $"This API key is over its rate limit; retry after {retryAfter} s."),
                    },
                }).ConfigureAwait(false);
            };
        });
        return builder;
    }

    /// <summary>Exception handling and status pages as ProblemDetails, API keys, then per-key rate limiting.</summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (!app.Services.GetRequiredService<ApiKeyStore>().Enabled)
        {
            Log.AuthenticationDisabled(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MlAspire.Gateway.Api"));
        }

        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseRateLimiter();
        return app;
    }
}
