using Microsoft.Extensions.DependencyInjection;
using MlAspire.AppHost;
using MlAspire.Publishing;

var builder = DistributedApplication.CreateBuilder(args);
builder.Services.AddHostedService<ReadinessReport>();
builder.AddKubernetesAndComposePublishing();

var redisPassword = builder.AddParameter("redis-password", new GenerateParameterDefault { Special = false }, secret: true);

var redis = builder.AddRedis("redis", password: redisPassword)
    .WithDataVolume()
    .WithAppendOnlyPersistence()
    .RunAsLocalRedisServer();

var inference = builder.AddProject<Projects.Inference_Service>("inference")
    .WithHttpEndpoint(name: "http")
    .WithHttp2Endpoint("grpc")
    .WithKestrelEndpoints()
    .WithHttpHealthCheck("/health", endpointName: "http")
    .WithServiceDefaultsProbes()
    .WithGpu(1)
    .WithOnnxRuntimeImage();

builder.AddProject<Projects.Preprocessing_Worker>("preprocessing")
    .WithReplicas(2)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(inference).WaitFor(inference)
    .WithServiceDefaultsProbes()
    .WithImagingImage()
    .WithAutoscalingMetric("mlaspire_worker_queue_lag", 20);

builder.AddProject<Projects.Gateway_Api>("gateway")
    .WithHttpEndpoint(name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(inference).WaitFor(inference)
    .WithServiceDefaultsProbes()
    .WithOpenApiLink()
    .WithClassifySampleCommand()
    .WithUrlLoggedWhenHealthy();

builder.Build().Run();
