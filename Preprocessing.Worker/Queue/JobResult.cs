namespace MlAspire.Queue;

/// <summary>What a finished job produced: the model that ran and its top-k classes (softmax probabilities).</summary>
internal sealed record JobResult(string Model, string Version, IReadOnlyList<Prediction> Predictions, JobTimings Timings);
