namespace MlAspire.Queue;

/// <summary>One class of a top-k result: its label, its index in the model's output and its softmax probability.</summary>
internal sealed record Prediction(string Label, int Index, double Score);
