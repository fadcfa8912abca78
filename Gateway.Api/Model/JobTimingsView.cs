namespace MlAspire.Gateway.Api.Model;

/// <summary>Milliseconds: waiting in the queue, preprocessing, the inference call (for the whole batch), end to end.</summary>
internal sealed record JobTimingsView(double? QueuedMs, double? PreprocessMs, double? InferenceMs, double? TotalMs, int? BatchSize);
