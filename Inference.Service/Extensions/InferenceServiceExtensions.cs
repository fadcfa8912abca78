using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlAspire.Grpc;
using MlAspire.Grpc.Health;
using MlAspire.Grpc.Reflection;
using MlAspire.Inference.Protocol;
using MlAspire.Inference.Service.Services;

namespace MlAspire.Inference.Service.Extensions;

internal static class InferenceServiceExtensions
{
    /// <summary>Options, metrics, the model repository (loaded in the background at start) and its health check.</summary>
    public static IHostApplicationBuilder AddInferenceServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        builder.Services.AddSingleton<InferenceMetrics>();
        builder.Services.AddSingleton<ModelRepository>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelRepository>());
        // The model check also answers grpc.health.v1 for the service name, as Triton clients ask.
        builder.Services.AddHealthChecks().AddCheck<ModelRepositoryHealthCheck>("models", tags: [InferenceMethods.ServiceName]);

        var maxMessageBytes = builder.Configuration.GetValue($"{InferenceOptions.SectionName}:{nameof(InferenceOptions.MaxMessageBytes)}", new InferenceOptions().MaxMessageBytes);
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = maxMessageBytes;
            options.MaxSendMessageSize = maxMessageBytes;
        });
        builder.Services.AddGrpcHealth();
        builder.Services.AddGrpcReflection(GrpcPredictV2Reflection.Descriptor);
        return builder;
    }

    /// <summary>KServe v2 <c>inference.GRPCInferenceService</c>, grpc.health.v1 and server reflection.</summary>
    public static WebApplication MapInferenceApi(this WebApplication app)
    {
        app.MapGrpcService<InferenceGrpcService>();
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
        return app;
    }
}
