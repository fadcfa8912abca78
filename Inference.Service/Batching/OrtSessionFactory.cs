using Microsoft.ML.OnnxRuntime;
using MlAspire.Inference.Service.Model;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// Creates a model's ONNX Runtime session with its settings: intra-op threads and spinning, and the CUDA provider
/// when the model prefers the GPU. Where CUDA cannot be used (no provider library, no CUDA 13 or cuDNN 9, no device)
/// ONNX Runtime throws; the reason is logged and the model runs on the CPU.
/// </summary>
internal static partial class OrtSessionFactory
{
    public const string IntraOpSpinningKey = "session.intra_op.allow_spinning";

    public static OrtModelExecutor CreateExecutor(
        ModelDefinition model, int intraOpThreads, bool intraOpSpinning, int cudaDeviceId, ILogger logger)
    {
        if (model.ExecutionProvider == ExecutionProviderPreference.Gpu)
        {
            try
            {
                using var gpuOptions = Options(model, intraOpThreads, intraOpSpinning);
                gpuOptions.AppendExecutionProvider_CUDA(cudaDeviceId);
                var gpuSession = new InferenceSession(model.ModelPath, gpuOptions);
                return Executor(gpuSession, OrtModelExecutor.CudaExecutionProvider, model);
            }
            catch (OnnxRuntimeException ex)
            {
                LogCudaUnavailable(logger, model.Name, cudaDeviceId, ex.Message);
            }
        }

        using var options = Options(model, intraOpThreads, intraOpSpinning);
        return Executor(new InferenceSession(model.ModelPath, options), OrtModelExecutor.CpuExecutionProvider, model);
    }

    private static OrtModelExecutor Executor(InferenceSession session, string provider, ModelDefinition model)
    {
        try
        {
            return new OrtModelExecutor(session, provider, model);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SessionOptions Options(ModelDefinition model, int intraOpThreads, bool intraOpSpinning)
    {
        var options = new SessionOptions { LogId = model.Name, IntraOpNumThreads = intraOpThreads };
        try
        {
            options.AddSessionConfigEntry(IntraOpSpinningKey, intraOpSpinning ? "1" : "0");
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Model {Model} prefers the GPU but ONNX Runtime's CUDA provider cannot be used on device {DeviceId}; running on the CPU. Reason: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string model, int deviceId, string reason);
}
