using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>Image additions of the MlAspire services, so the AppHost stays one statement per resource.</summary>
public static class ServiceImageExtensions
{
    /// <summary>The ONNX Runtime GPU package's CUDA and TensorRT execution providers in a project's publish
    /// output: hundreds of MB that only the CUDA image can load.</summary>
    private static readonly string[] s_gpuProviderLibraries =
    [
        "runtimes/linux-x64/native/libonnxruntime_providers_cuda.so",
        "runtimes/linux-x64/native/libonnxruntime_providers_tensorrt.so",
    ];

    /// <summary>A service on ONNX Runtime (NuGet <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c>, whose natives are in
    /// the publish output under <c>runtimes/linux-x64/native</c>): the model repository
    /// (<paramref name="modelRepository"/>, relative to the AppHost) at <c>/app/models</c>; the CPU image leaves
    /// the CUDA/TensorRT provider libraries out, the CUDA image keeps them.</summary>
    public static IResourceBuilder<ProjectResource> WithOnnxRuntimeImage(this IResourceBuilder<ProjectResource> builder, string modelRepository = "../models") =>
        builder.WithDockerfileOptions(image =>
        {
            image.CopyFile(modelRepository, "/app/models");
            image.Environment["Inference__ModelRepository"] = "/app/models";
            foreach (var library in s_gpuProviderLibraries)
            {
                image.KeepOnlyInGpuImage(library);
            }
        });

    /// <summary>A service that decodes images: libjpeg-turbo and libspng from Debian.</summary>
    public static IResourceBuilder<ProjectResource> WithImagingImage(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithDockerfileOptions(image =>
        {
            image.AptPackages.Add("libturbojpeg0");
            image.AptPackages.Add("libspng0");
        });
}
