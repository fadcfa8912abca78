namespace MlAspire.Inference.Service.Model;

/// <summary>Why an inference failed; the gRPC layer maps each to its status code.</summary>
internal enum InferenceError
{
    InvalidArgument,
    NotFound,
    Unavailable,
    ResourceExhausted,
    DeadlineExceeded,
    Cancelled,
    Internal,
}
