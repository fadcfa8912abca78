namespace MlAspire.Inference.Service.Services;

internal enum ModelStatus
{
    Loading,
    Ready,
    Failed,
}
