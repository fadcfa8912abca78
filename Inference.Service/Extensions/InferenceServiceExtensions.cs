using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Extensions;

internal static class InferenceServiceExtensions
{
    /// <summary>The gRPC service name Triton clients ask grpc.health.v1 about.</summary>
    public static readonly string InferenceServiceName = GRPCInferenceService.Descriptor.FullName;

    /// <summary>Options, metrics, the model repository (loaded in the background at start), its health check and gRPC.</summary>
    public static IHostApplicationBuilder AddInferenceServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InferenceMetrics>();
        builder.Services.AddSingleton<ModelRepository>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelRepository>());

        var maxMessageBytes = builder.Configuration.GetValue($"{InferenceOptions.SectionName}:{nameof(InferenceOptions.MaxMessageBytes)}", new InferenceOptions().MaxMessageBytes);
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = maxMessageBytes;
            options.MaxSendMessageSize = maxMessageBytes;
        }).AddServiceOptions<InferenceGrpcService>(options =>
        {
            options.Interceptors.Add<DeadlineInterceptor>();
            options.Interceptors.Add<InferenceErrorInterceptor>();
        });

        // grpc.health.v1 answers from the same ASP.NET Core health checks as /health, run on each Check: service ""
        // from all of them, the inference service's name from the model check (not serving until loading has
        // finished with at least one model ready).
        builder.Services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map("", _ => true);
            options.Services.Map(InferenceServiceName, check => check.Tags.Contains(InferenceServiceName));
        }).AddCheck<ModelRepositoryHealthCheck>("models", tags: [InferenceServiceName]);
        builder.Services.AddGrpcReflection();
        return builder;
    }

    /// <summary>KServe v2 <c>inference.GRPCInferenceService</c>, grpc.health.v1 and server reflection.</summary>
    public static WebApplication MapInferenceApi(this WebApplication app)
    {
        app.MapGrpcService<InferenceGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
