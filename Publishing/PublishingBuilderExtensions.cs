using Aspire.Hosting;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MlAspire.Publishing;

/// <summary>The environment-level entry point of MlAspire's publishing integration.</summary>
public static class PublishingBuilderExtensions
{
    /// <summary>Adds publish steps that write, from the app model, container images' Dockerfiles and build
    /// context, a kustomize tree (base + dev/prod overlays) and compose files into the publish output folder,
    /// and optionally build and push the images. They run on <c>aspire publish -o DIR</c> and on
    /// <c>dotnet run --project AppHost -- --operation publish --step publish --output-path DIR</c>, after Aspire's
    /// own <c>publish-manifest</c> step (so <c>aspire-manifest.json</c> lands beside them). Image settings come
    /// from configuration section <c>ContainerImages</c> (<see cref="ContainerImageOptions"/>).</summary>
    public static IDistributedApplicationBuilder AddKubernetesAndComposePublishing(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ContainerImageOptions>().BindConfiguration(ContainerImageOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ContainerImageOptions>, ContainerImageOptionsValidator>();

        var appHostDirectory = builder.AppHostDirectory;
        builder.Pipeline.AddStep(ContainerPublishingSteps.BuildContext, ExitCodeOnFailure(context => ContainerPublishingSteps.WriteBuildContextAsync(context, appHostDirectory)),
            dependsOn: ContainerPublishingSteps.AspireManifest, requiredBy: WellKnownPipelineSteps.Publish);
        // The Kubernetes and compose steps follow the build-context step, which checks the output folder first.
        builder.Pipeline.AddStep(ContainerPublishingSteps.Kubernetes, ExitCodeOnFailure(ContainerPublishingSteps.WriteKubernetesAsync),
            dependsOn: ContainerPublishingSteps.BuildContext, requiredBy: WellKnownPipelineSteps.Publish);
        builder.Pipeline.AddStep(ContainerPublishingSteps.Compose, ExitCodeOnFailure(ContainerPublishingSteps.WriteComposeAsync),
            dependsOn: ContainerPublishingSteps.BuildContext, requiredBy: WellKnownPipelineSteps.Publish);
        builder.Pipeline.AddStep(ContainerPublishingSteps.Images, ExitCodeOnFailure(ContainerPublishingSteps.BuildImagesAsync),
            dependsOn: new[] { ContainerPublishingSteps.Kubernetes, ContainerPublishingSteps.Compose }, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }

    /// <summary>Aspire 13.6 logs a failed step and stops, but <c>dotnet run --project AppHost -- --operation publish</c>
    /// still exits 0; a failed step of ours makes the process exit 1, so scripts and CI see the failure.</summary>
    private static Func<PipelineStepContext, Task> ExitCodeOnFailure(Func<PipelineStepContext, Task> step) => async context =>
    {
        try
        {
            await step(context).ConfigureAwait(false);
        }
        catch
        {
            Environment.ExitCode = 1;
            throw;
        }
    };
}
