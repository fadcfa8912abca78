using MlAspire.Grpc.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlAspire.Grpc;

public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps the methods of <typeparamref name="TService"/> at "/{package.Service}/{Method}" (POST).</summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IGrpcService<TService>
    {
        var binder = new ServiceBinder<TService>(endpoints.ServiceProvider);
        TService.BindService(binder);
        return endpoints.MapGrpc(binder.Build());
    }

    /// <summary>Maps every method of <paramref name="definition"/>, plus (once) the UNIMPLEMENTED fallback.</summary>
    public static IEndpointConventionBuilder MapGrpc(this IEndpointRouteBuilder endpoints, ServerServiceDefinition definition)
    {
        var services = endpoints.ServiceProvider;
        var registry = services.GetService<GrpcServerRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpc() before mapping gRPC services.");
        var options = services.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        var diagnostics = services.GetRequiredService<GrpcServerDiagnostics>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MlAspire.Grpc.Server");

        var builders = new List<IEndpointConventionBuilder>();
        foreach (var entry in definition.Methods)
        {
            registry.AddService(entry.Method.ServiceName);
            builders.Add(endpoints.MapPost(entry.Method.FullName, entry.CreateRequestDelegate(options, diagnostics, logger))
                .WithDisplayName("gRPC " + entry.Method.FullName));
        }

        if (!registry.FallbackMapped)
        {
            registry.FallbackMapped = true;
            MapUnimplemented(endpoints, registry, logger);
        }

        return new CompositeEndpointConventionBuilder(builders);
    }

    private static void MapUnimplemented(IEndpointRouteBuilder endpoints, GrpcServerRegistry registry, ILogger logger)
    {
        endpoints.MapPost("{**grpcUnknownPath}", context =>
            {
                var response = context.Response;
                if (!GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
                {
                    response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                var path = context.Request.Path.Value ?? string.Empty;
                Log.Unimplemented(logger, path);
                var slash = path.IndexOf('/', 1);
                var knownService = slash > 1 && registry.HasService(path[1..slash]);
                response.ContentType = GrpcProtocol.ContentType;
                response.Headers[GrpcProtocol.StatusTrailer] = "12";
                response.Headers[GrpcProtocol.MessageTrailer] = knownService ? "Method is unimplemented." : "Service is unimplemented.";
                return Task.CompletedTask;
            })
            .WithDisplayName("gRPC unimplemented")
            .Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
    }
}
