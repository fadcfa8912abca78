using MlAspire.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var redisPassword = builder.AddParameter("redis-password", new GenerateParameterDefault { Special = false }, secret: true);

var redis = builder.AddRedis("redis", password: redisPassword)
    .WithAppendOnlyPersistence()
    .RunAsLocalRedisServer();

var inference = builder.AddProject<Projects.Inference_Service>("inference")
    .WithHttpEndpoint(name: "http")
    .WithHttp2Endpoint("grpc")
    .WithKestrelEndpoints()
    .WithHttpHealthCheck("/health", endpointName: "http");

builder.AddProject<Projects.Preprocessing_Worker>("preprocessing")
    .WithReplicas(2)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(inference).WaitFor(inference);

builder.AddProject<Projects.Gateway_Api>("gateway")
    .WithHttpEndpoint(name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(inference).WaitFor(inference)
    .WithOpenApiLink()
    .WithClassifySampleCommand()
    .WithUrlLoggedWhenHealthy();

builder.Build().Run();
