using Aspire.Hosting;

namespace MlAspire.Publishing.Tests;

/// <summary>The MlAspire topology on Aspire's API, over the repository's real projects, in publish mode: what
/// AppHost/Program.cs declares, with the publishing integration's additions.</summary>
internal static class ProductTopology
{
    public static IDistributedApplicationBuilder Create(string output, params string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--operation", "publish", "--step", "publish", "--output-path", output, .. args],
            ProjectDirectory = Path.Combine(MlAspire.Tests.Shared.RepoRoot.Find(), "AppHost"),
            DisableDashboard = true,
        });
        var redisPassword = builder.AddParameter("redis-password", secret: true);
        var redis = builder.AddRedis("redis").WithPassword(redisPassword).WithDataVolume();
        var inference = builder.AddProject("inference", "../Inference.Service/Inference.Service.csproj")
            .WithHttpEndpoint(name: "http").WithEndpoint("grpc", e => { e.UriScheme = "http"; e.Transport = "http2"; })
            .WithHttpHealthCheck("/health").WithServiceDefaultsProbes().WithGpu(1).WithOnnxRuntimeImage();
        builder.AddProject("preprocessing", "../Preprocessing.Worker/Preprocessing.Worker.csproj")
            .WithHttpEndpoint(name: "http").WithHttpHealthCheck("/health").WithServiceDefaultsProbes().WithReplicas(2)
            .WithReference(redis).WaitFor(redis).WithReference(inference).WaitFor(inference)
            .WithImagingImage().WithAutoscalingMetric("mlaspire_worker_queue_lag", 20);
        builder.AddProject("gateway", "../Gateway.Api/Gateway.Api.csproj")
            .WithHttpEndpoint(name: "http").WithExternalHttpEndpoints().WithHttpHealthCheck("/health").WithServiceDefaultsProbes()
            .WithReference(redis).WaitFor(redis).WithReference(inference).WaitFor(inference);
        builder.AddKubernetesAndComposePublishing();
        return builder;
    }
}
