namespace MlAspire.Queue;

/// <summary>Where a job spent its time inside the worker, in milliseconds.</summary>
internal sealed record JobTimings(double PreprocessMs, double InferenceMs, int BatchSize);
