namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// How one model uses the host: <see cref="Instances"/> executions run side by side (each a batcher slot over the
/// model's one shared ONNX Runtime session), each run split over up to <see cref="IntraOpThreads"/> threads (0: ONNX
/// Runtime's choice); the session's pool of intra-op threads is shared by its concurrent runs. <see cref="Automatic"/>
/// when neither number was configured; <see cref="Source"/> says where they came from, for the ready log line.
/// </summary>
internal sealed record ExecutionPlan(int Instances, int IntraOpThreads, bool IntraOpSpinning, bool Automatic, string Source);
