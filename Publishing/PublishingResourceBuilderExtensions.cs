using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>Resource-level settings the Kubernetes, compose and image publishing steps read from the app model
/// (<see cref="PublishingBuilderExtensions.AddKubernetesAndComposePublishing"/>). Run mode ignores all of them.</summary>
public static class PublishingResourceBuilderExtensions
{
    /// <summary>Each replica asks for <paramref name="count"/> NVIDIA GPUs when published (Kubernetes
    /// <c>nvidia.com/gpu</c> limit, compose device reservation) and the project gets a CUDA image variant.</summary>
    public static IResourceBuilder<T> WithGpu<T>(this IResourceBuilder<T> builder, int count = 1)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return builder.WithAnnotation(new GpuAnnotation(count), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>The published HorizontalPodAutoscaler also scales on the external metric <paramref name="metricName"/>
    /// (Kubernetes metric name rules: lower-case letters, digits, '_' and '.'), aiming at
    /// <paramref name="targetAverageValue"/> per replica. Without it, resources with several replicas scale on CPU only.</summary>
    public static IResourceBuilder<T> WithAutoscalingMetric<T>(this IResourceBuilder<T> builder, string metricName, int targetAverageValue)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricName);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetAverageValue, 1);
        if (!metricName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-'))
        {
            throw new ArgumentException($"'{metricName}' is not a metric name (lower-case letters, digits, '_', '.', '-').", nameof(metricName));
        }

        return builder.WithAnnotation(new AutoscalingMetricAnnotation(metricName, targetAverageValue), ResourceAnnotationMutationBehavior.Append);
    }

    /// <summary>Adds packages, files and environment to the project's generated Dockerfile. Called several
    /// times, the additions accumulate on one annotation.</summary>
    public static IResourceBuilder<ProjectResource> WithDockerfileOptions(this IResourceBuilder<ProjectResource> builder, Action<DockerfileOptionsAnnotation> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = builder.Resource.Annotations.OfType<DockerfileOptionsAnnotation>().SingleOrDefault();
        if (options is null)
        {
            options = new DockerfileOptionsAnnotation { BaseDirectory = builder.ApplicationBuilder.AppHostDirectory };
            builder.WithAnnotation(options);
        }

        configure(options);
        return builder;
    }

    /// <summary>Kubernetes probes (and the image's HEALTHCHECK) for a service built on ServiceDefaults: startup
    /// and liveness on <c>/alive</c>, readiness on <c>/health</c>, on the named HTTP endpoint. These are Aspire's
    /// own probe annotations (what <c>WithHttpProbe</c> records) without the extra run-mode health checks
    /// <c>WithHttpProbe</c> would add: <c>WithHttpHealthCheck</c> stays what WaitFor uses.</summary>
    public static IResourceBuilder<ProjectResource> WithServiceDefaultsProbes(this IResourceBuilder<ProjectResource> builder, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(builder);
        var endpoint = builder.GetEndpoint(endpointName);
        return builder
            .WithAnnotation(Probe(ProbeType.Startup, endpoint, "/alive", periodSeconds: 2, failureThreshold: 90), ResourceAnnotationMutationBehavior.Append)
            .WithAnnotation(Probe(ProbeType.Readiness, endpoint, "/health", periodSeconds: 5, failureThreshold: 3), ResourceAnnotationMutationBehavior.Append)
            .WithAnnotation(Probe(ProbeType.Liveness, endpoint, "/alive", periodSeconds: 10, failureThreshold: 3), ResourceAnnotationMutationBehavior.Append);
    }

    private static EndpointProbeAnnotation Probe(ProbeType type, EndpointReference endpoint, string path, int periodSeconds, int failureThreshold) => new()
    {
        Type = type,
        EndpointReference = endpoint,
        Path = path,
        InitialDelaySeconds = 0,
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
        SuccessThreshold = 1,
    };
}
