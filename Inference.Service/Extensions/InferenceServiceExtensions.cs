using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
        builder.Services.AddHealthChecks().AddCheck<ModelRepositoryHealthCheck>("models");
        return builder;
    }
}
