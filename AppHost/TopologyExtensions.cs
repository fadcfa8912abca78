using MlAspire.Hosting;

namespace MlAspire.AppHost;

/// <summary>Shapes shared by the MlAspire services, so the topology in Program.cs stays one statement per resource.</summary>
internal static class TopologyExtensions
{
    private static readonly string[] s_cudaProviderLibraries = ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];

    /// <summary>An <c>http</c> endpoint whose <c>/health</c> (ServiceDefaults' readiness endpoint) gates WaitFor.</summary>
    public static IResourceBuilder<ProjectResource> WithHealthEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithHttpEndpoint().WithHttpHealthCheck("/health", "http");

    /// <summary>A <c>grpc</c> endpoint served as HTTP/2 only (cleartext gRPC: Kestrel <c>Protocols=Http2</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithEndpoint("grpc", scheme: "http", transport: "http2");

    /// <summary>Reference a resource and start only once it is healthy.</summary>
    public static IResourceBuilder<ProjectResource> WithDependency<T>(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<T> dependency)
        where T : Resource =>
        builder.WithReference(dependency).WaitFor(dependency);

    /// <summary>Image additions of a service on ONNX Runtime: the native library from eng/setup.sh's cache
    /// (<c>$MLASPIRE_CACHE/onnxruntime/1.30.0/linux-x64</c>, from the npm package onnxruntime-node) beside the
    /// app, and the repository's model folder at <c>/app/models</c>. Staged into the build context by publish,
    /// so image builds need no network for them.</summary>
    public static IResourceBuilder<ProjectResource> WithOnnxRuntimeImage(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithDockerfileOptions(image =>
        {
            image.CopyFile(Path.Combine(OnnxRuntimeCache(), "libonnxruntime.so.1"), "/app/libonnxruntime.so.1");
            image.CopyFile("../models", "/app/models");
            image.Environment["Inference__ModelRepository"] = "/app/models";

            // The GPU image also needs ORT's CUDA provider libraries (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0,
            // runtimes/linux-x64/native; not in the registry copy we can reach). Where they were put into the cache,
            // Dockerfile.gpu copies them beside libonnxruntime.so.1; otherwise the service logs why and runs on CPU.
            var cuda = OnnxRuntimeCache() + "-cuda12";
            foreach (var library in s_cudaProviderLibraries)
            {
                if (File.Exists(Path.Combine(cuda, library)))
                {
                    image.CopyGpuFile(Path.Combine(cuda, library), "/app/" + library);
                }
            }
        });

    /// <summary>Image additions of a service that decodes images: libjpeg-turbo and libspng from Debian.</summary>
    public static IResourceBuilder<ProjectResource> WithImagingImage(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithDockerfileOptions(image =>
        {
            image.AptPackages.Add("libturbojpeg0");
            image.AptPackages.Add("libspng0");
        });

    private static string OnnxRuntimeCache()
    {
        var root = Environment.GetEnvironmentVariable("MLASPIRE_CACHE");
        if (string.IsNullOrEmpty(root))
        {
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            root = Path.Combine(string.IsNullOrEmpty(cache) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : cache, "mlaspire");
        }

        return Path.Combine(root, "onnxruntime", "1.30.0", "linux-x64");
    }
}
