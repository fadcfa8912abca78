using MlAspire.AppHost;
using MlAspire.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var redisPassword = builder.AddParameter("redis-password", secret: true, new GenerateParameterDefault { Special = false });

var redis = builder.AddRedis("redis").WithPassword(redisPassword).WithDataVolume().WithAppendOnlyPersistence();

var inference = builder.AddProject("inference", "../Inference.Service/Inference.Service.csproj")
    .WithHealthEndpoint().WithGrpcEndpoint().WithGpu(1).WithOnnxRuntimeImage();

builder.AddProject("preprocessing", "../Preprocessing.Worker/Preprocessing.Worker.csproj")
    .WithHealthEndpoint().WithReplicas(2).WithDependency(redis).WithDependency(inference).WithImagingImage();

builder.AddProject("gateway", "../Gateway.Api/Gateway.Api.csproj")
    .WithHealthEndpoint().WithExternalHttpEndpoints().WithDependency(redis).WithDependency(inference);

// Disposing flushes the console log before the process exits.
await using var app = builder.Build();
await app.RunAsync();
