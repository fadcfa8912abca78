namespace MlAspire.Inference.Service.Batching;

/// <summary>
/// How one model uses the host: <see cref="Instances"/> executions run side by side (each a batcher slot over the
/// model's one shared ONNX Runtime session), each with <see cref="IntraOpThreads"/> threads inside an operator
/// (0: ONNX Runtime's choice). <see cref="Source"/> says where the numbers came from, for the model's ready log line.
/// </summary>
internal sealed record ExecutionPlan(int Instances, int IntraOpThreads, bool IntraOpSpinning, string Source);
